//! Event triggers, read from `pg_event_trigger` (there is no `pg_get_…def` for them):
//! name, event, the `WHEN TAG` list as stored (`evttags`), the function (schema and
//! name; it takes no arguments), `evtenabled` and the comment. Event triggers that an
//! extension owns are skipped (never diffed).

use crate::IntrospectError;
use postgres::Transaction;
use shale_model::{Catalog, EventTrigger, EventTriggerEvent, QualName, TriggerEnabled, Unmodeled};

pub(crate) struct EventTriggerRow {
    name: String,
    event: String,
    tags: Option<Vec<String>>,
    function_schema: String,
    function_name: String,
    enabled: String,
    comment: Option<String>,
}

const WHAT: &str = "event triggers";

/// Run the query (inside the introspection transaction).
pub(crate) fn read(tx: &mut Transaction<'_>) -> Result<Vec<EventTriggerRow>, IntrospectError> {
    let q = |source| IntrospectError::Query { what: WHAT, source };
    let rows = crate::queries::query(
        tx,
        WHAT,
        "SELECT e.evtname::text AS name, e.evtevent::text AS event, \
                    e.evttags::text[] AS tags, n.nspname::text AS function_schema, \
                    p.proname::text AS function_name, e.evtenabled::text AS enabled, \
                    (SELECT d.description FROM pg_catalog.pg_description d \
                      WHERE d.classoid = 'pg_catalog.pg_event_trigger'::pg_catalog.regclass \
                        AND d.objoid = e.oid AND d.objsubid = 0) AS comment \
             FROM pg_catalog.pg_event_trigger e \
             JOIN pg_catalog.pg_proc p ON p.oid = e.evtfoid \
             JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
             WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend dep \
                 WHERE dep.classid = 'pg_catalog.pg_event_trigger'::pg_catalog.regclass \
                   AND dep.objid = e.oid AND dep.deptype = 'e') \
             ORDER BY e.evtname",
    )?;
    rows.iter()
        .map(|r| {
            Ok(EventTriggerRow {
                name: r.try_get("name").map_err(q)?,
                event: r.try_get("event").map_err(q)?,
                tags: r.try_get("tags").map_err(q)?,
                function_schema: r.try_get("function_schema").map_err(q)?,
                function_name: r.try_get("function_name").map_err(q)?,
                enabled: r.try_get("enabled").map_err(q)?,
                comment: r.try_get("comment").map_err(q)?,
            })
        })
        .collect()
}

/// Add the event triggers to `cat`; one on an event this version of shale does not
/// know is reported as unmodelled instead.
pub(crate) fn assemble(mut cat: Catalog, rows: Vec<EventTriggerRow>) -> Catalog {
    for r in rows {
        let Some(event) = EventTriggerEvent::from_sql(&r.event) else {
            cat.unmodeled.push(Unmodeled {
                kind: format!("event trigger (not understood: event {})", r.event),
                name: shale_model::quote_ident(&r.name),
                location: None,
            });
            continue;
        };
        let enabled = match r.enabled.as_str() {
            "D" => TriggerEnabled::Disabled,
            "R" => TriggerEnabled::Replica,
            "A" => TriggerEnabled::Always,
            _ => TriggerEnabled::Origin,
        };
        cat.event_triggers.insert(
            r.name.clone(),
            EventTrigger {
                name: r.name,
                event,
                tags: r.tags.unwrap_or_default(),
                function: QualName::new(r.function_schema, r.function_name),
                enabled,
                comment: r.comment,
            },
        );
    }
    cat.unmodeled.sort();
    cat
}
