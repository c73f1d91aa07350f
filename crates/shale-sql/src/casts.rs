//! Casts in the SQL front end: `CREATE CAST`, `COMMENT ON CAST`, `DROP CAST`.
//!
//! This module is a child of `parse` (it extends its `Builder`). The function of a
//! `WITH FUNCTION` cast is named with its argument types; an unqualified name is the
//! files' function on the search path, else a built-in one.

use super::*;
use shale_model::{Cast, CastContext, CastMethod};

impl Builder {
    /// `CREATE CAST (source AS target) …`.
    pub(super) fn create_cast(&mut self, s: &protobuf::CreateCastStmt) -> R<()> {
        let (Some(src), Some(tgt)) = (s.sourcetype.as_ref(), s.targettype.as_ref()) else {
            return err(-1, "CREATE CAST needs a source and a target type");
        };
        let source = self.routine_type(src)?;
        let target = self.routine_type(tgt)?;
        let method = match (&s.func, s.inout) {
            (Some(owa), _) => {
                let names = strings(&owa.objname);
                let name = self.support_function(&names, -1)?;
                let mut args = Vec::new();
                for a in &owa.objargs {
                    if let Some(NodeEnum::TypeName(tn)) = a.node.as_ref() {
                        args.push(self.routine_type(tn)?);
                    }
                }
                if args.is_empty() || args.len() > 3 {
                    return err(-1, "cast function must take one to three arguments");
                }
                // An unqualified name: the files' function with these arguments.
                let name = if names.len() == 1 {
                    let key_args = args
                        .iter()
                        .map(|a| a.to_string())
                        .collect::<Vec<_>>()
                        .join(", ");
                    self.path()
                        .into_iter()
                        .map(|sc| QualName::new(sc, names[0].clone()))
                        .find(|q| self.cat.functions.contains_key(&format!("{q}({key_args})")))
                        .unwrap_or(name)
                } else {
                    name
                };
                CastMethod::Function { name, args }
            }
            (None, true) => CastMethod::Inout,
            (None, false) => CastMethod::Binary,
        };
        let context = match protobuf::CoercionContext::try_from(s.context) {
            Ok(protobuf::CoercionContext::CoercionImplicit) => CastContext::Implicit,
            Ok(protobuf::CoercionContext::CoercionAssignment) => CastContext::Assignment,
            _ => CastContext::Explicit,
        };
        let cast = Cast {
            source,
            target,
            method,
            context,
            comment: None,
        };
        let key = cast.key();
        if self.cat.casts.contains_key(&key) {
            return err(
                -1,
                format!("cast from type {} to type {} already exists", key.0, key.1),
            );
        }
        self.cat.casts.insert(key, cast);
        Ok(())
    }

    /// `(source AS target)` of `COMMENT ON CAST`/`DROP CAST`: the key.
    fn cast_key(&self, n: Option<&Node>) -> R<(String, String)> {
        let Some(NodeEnum::List(l)) = n.and_then(|n| n.node.as_ref()) else {
            return err(-1, "improper cast");
        };
        let mut out = Vec::new();
        for item in &l.items {
            if let Some(NodeEnum::TypeName(tn)) = item.node.as_ref() {
                out.push(self.routine_type(tn)?.to_string());
            }
        }
        match <[String; 2]>::try_from(out) {
            Ok([a, b]) => Ok((a, b)),
            Err(_) => err(-1, "improper cast"),
        }
    }

    pub(super) fn is_cast_comment(s: &protobuf::CommentStmt) -> bool {
        s.objtype == ObjectType::ObjectCast as i32
    }

    pub(super) fn cast_comment(&mut self, s: &protobuf::CommentStmt) -> R<()> {
        let key = self.cast_key(s.object.as_deref())?;
        let c = self.cat.casts.get_mut(&key).ok_or_else(|| {
            at(-1)(format!(
                "cast from type {} to type {} does not exist",
                key.0, key.1
            ))
        })?;
        c.comment = (!s.comment.is_empty()).then(|| s.comment.clone());
        Ok(())
    }

    pub(super) fn is_cast_drop(s: &protobuf::DropStmt) -> bool {
        s.remove_type == ObjectType::ObjectCast as i32
    }

    pub(super) fn drop_cast(&mut self, s: &protobuf::DropStmt) -> R<()> {
        for o in &s.objects {
            let key = self.cast_key(Some(o))?;
            if self.cat.casts.remove(&key).is_none() && !s.missing_ok {
                return err(
                    -1,
                    format!("cast from type {} to type {} does not exist", key.0, key.1),
                );
            }
        }
        Ok(())
    }
}
