//! Canonical text of a constant read as a value of a given type: what the type's input
//! function followed by its output function would print (with the settings the
//! introspection pins: `DateStyle = ISO`, `TimeZone = UTC`, `IntervalStyle = postgres`).
//!
//! Each function accepts the common spellings of its type and returns `None` when it
//! does not understand the text (the text is then compared as written). Each is
//! idempotent: PostgreSQL's output is a fixed point.

use crate::types::base_name;
use shale_model::TypeRef;

/// Canonical text of `text` as a value of `ty`, if this module knows the type.
pub(crate) fn canon_value(text: &str, ty: &TypeRef) -> Option<String> {
    if ty.schema.is_some() {
        return None;
    }
    if ty.array {
        return canon_array(text, &ty.element());
    }
    let t = text.trim();
    let base = base_name(&ty.name);
    let precision = typmod_precision(&ty.name);
    match base.as_str() {
        "smallint" | "integer" | "bigint" => {
            let digits = t.strip_prefix('+').unwrap_or(t);
            digits.parse::<i128>().ok().map(|v| v.to_string())
        }
        "boolean" => parse_bool(t).map(|b| b.to_string()),
        "numeric" => canon_numeric(t),
        "real" | "double precision" => canon_float(t),
        "uuid" => canon_uuid(t),
        "inet" => canon_inet(t),
        "jsonb" => canon_jsonb(t),
        "date" => canon_date(t),
        "time without time zone" => canon_time(t, precision),
        "timestamp without time zone" => canon_timestamp(t, false, precision),
        "timestamp with time zone" => canon_timestamp(t, true, precision),
        "interval" if ty.name == "interval" => canon_interval(t),
        _ => None,
    }
}

/// `timestamp(3) …` → `Some(3)`.
fn typmod_precision(name: &str) -> Option<usize> {
    let open = name.find('(')?;
    let close = name[open..].find(')')? + open;
    name[open + 1..close].trim().parse().ok()
}

pub(crate) fn parse_bool(t: &str) -> Option<bool> {
    let l = t.trim().to_ascii_lowercase();
    if l.is_empty() {
        return None;
    }
    let is_prefix = |word: &str, min: usize| l.len() >= min && word.starts_with(l.as_str());
    if is_prefix("true", 1) || is_prefix("yes", 1) || l == "1" || is_prefix("on", 2) {
        Some(true)
    } else if is_prefix("false", 1) || is_prefix("no", 1) || l == "0" || is_prefix("off", 2) {
        Some(false)
    } else {
        None
    }
}

/// `numeric_in` then `numeric_out`: `007.50` → `7.50`, `1e3` → `1000`, `+1` → `1`.
pub(crate) fn canon_numeric(t: &str) -> Option<String> {
    match t.to_ascii_lowercase().as_str() {
        "nan" => return Some("NaN".into()),
        "infinity" | "+infinity" | "inf" | "+inf" => return Some("Infinity".into()),
        "-infinity" | "-inf" => return Some("-Infinity".into()),
        _ => {}
    }
    let (neg, rest) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let (mant, exp) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], rest[i + 1..].parse::<i64>().ok()?),
        None => (rest, 0),
    };
    if exp.abs() > 1000 {
        return None;
    }
    let (ip, fp) = match mant.find('.') {
        Some(i) => (&mant[..i], &mant[i + 1..]),
        None => (mant, ""),
    };
    if ip.is_empty() && fp.is_empty() {
        return None;
    }
    if !ip.bytes().chain(fp.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits: String = format!("{ip}{fp}");
    let point = ip.len() as i64 + exp;
    let dscale = (fp.len() as i64 - exp).max(0);
    let (int_part, mut frac_part) = if point <= 0 {
        (
            "0".to_string(),
            format!("{}{}", "0".repeat((-point) as usize), digits),
        )
    } else if point as usize >= digits.len() {
        (
            format!("{}{}", digits, "0".repeat(point as usize - digits.len())),
            String::new(),
        )
    } else {
        (
            digits[..point as usize].to_string(),
            digits[point as usize..].to_string(),
        )
    };
    while frac_part.len() < dscale as usize {
        frac_part.push('0');
    }
    frac_part.truncate(dscale as usize);
    let trimmed = int_part.trim_start_matches('0');
    let int_part = if trimmed.is_empty() { "0" } else { trimmed };
    let zero = int_part == "0" && frac_part.bytes().all(|b| b == b'0');
    let mut out = String::new();
    if neg && !zero {
        out.push('-');
    }
    out.push_str(int_part);
    if !frac_part.is_empty() {
        out.push('.');
        out.push_str(&frac_part);
    }
    Some(out)
}

/// `float8out` (shortest exact digits) in the range where it prints no exponent.
fn canon_float(t: &str) -> Option<String> {
    match t.to_ascii_lowercase().as_str() {
        "nan" => return Some("NaN".into()),
        "infinity" | "+infinity" | "inf" => return Some("Infinity".into()),
        "-infinity" | "-inf" => return Some("-Infinity".into()),
        _ => {}
    }
    let v: f64 = t.parse().ok()?;
    if v == 0.0 {
        return Some(if v.is_sign_negative() { "-0" } else { "0" }.into());
    }
    let a = v.abs();
    if !(1e-4..1e15).contains(&a) {
        return None;
    }
    Some(format!("{v}"))
}

/// `inet` prints no netmask for a single IPv4 host (`10.0.0.1/32` → `10.0.0.1`).
fn canon_inet(t: &str) -> Option<String> {
    let (addr, mask) = t.split_once('/').unwrap_or((t, "32"));
    let octets: Vec<&str> = addr.split('.').collect();
    if octets.len() != 4 || !octets.iter().all(|o| o.parse::<u8>().is_ok()) {
        return None;
    }
    let norm: Vec<String> = octets
        .iter()
        .map(|o| o.parse::<u8>().unwrap_or(0).to_string())
        .collect();
    let mask: u8 = mask.parse().ok().filter(|m| *m <= 32)?;
    let a = norm.join(".");
    Some(if mask == 32 { a } else { format!("{a}/{mask}") })
}

fn canon_uuid(t: &str) -> Option<String> {
    let inner = t
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .unwrap_or(t);
    let hex: String = inner.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let h = hex.to_ascii_lowercase();
    Some(format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}

// ---------------------------------------------------------------------------------------
// Dates and times (ISO input only)

fn num(s: &str, len: std::ops::RangeInclusive<usize>) -> Option<i64> {
    if !len.contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// `YYYY-MM-DD`.
fn parse_date(s: &str) -> Option<(i64, i64, i64)> {
    let mut it = s.split('-');
    let y = num(it.next()?, 4..=4)?;
    let m = num(it.next()?, 1..=2)?;
    let d = num(it.next()?, 1..=2)?;
    if it.next().is_some() || !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    Some((y, m, d))
}

/// `HH:MM[:SS[.ffffff]]` → (h, m, s, fraction digits).
fn parse_time(s: &str) -> Option<(i64, i64, i64, String)> {
    let mut it = s.split(':');
    let h = num(it.next()?, 1..=2)?;
    let m = num(it.next()?, 2..=2)?;
    let (sec, frac) = match it.next() {
        None => (0, String::new()),
        Some(x) => {
            let (a, b) = x.split_once('.').unwrap_or((x, ""));
            if !b.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            (num(a, 2..=2)?, b.to_string())
        }
    };
    if it.next().is_some() || h > 24 || m > 59 || sec > 59 || frac.len() > 6 {
        return None;
    }
    if h == 24 && (m != 0 || sec != 0 || frac.bytes().any(|b| b != b'0')) {
        return None;
    }
    Some((h, m, sec, frac))
}

fn fraction(frac: &str, precision: Option<usize>) -> Option<String> {
    let t = frac.trim_end_matches('0');
    if precision.is_some_and(|p| t.len() > p) {
        // PostgreSQL would round; not worth imitating here
        return None;
    }
    Some(if t.is_empty() {
        String::new()
    } else {
        format!(".{t}")
    })
}

fn canon_date(t: &str) -> Option<String> {
    match t.to_ascii_lowercase().as_str() {
        "infinity" | "+infinity" => return Some("infinity".into()),
        "-infinity" => return Some("-infinity".into()),
        _ => {}
    }
    let (y, m, d) = parse_date(t)?;
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

fn canon_time(t: &str, precision: Option<usize>) -> Option<String> {
    let (h, m, s, frac) = parse_time(t)?;
    Some(format!(
        "{h:02}:{m:02}:{s:02}{}",
        fraction(&frac, precision)?
    ))
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A zone suffix: `Z`, `UTC`, `+HH`, `+HH:MM`, `+HHMM` → offset in seconds.
fn parse_zone(z: &str) -> Option<i64> {
    let z = z.trim();
    if z.eq_ignore_ascii_case("z") || z.eq_ignore_ascii_case("utc") || z.eq_ignore_ascii_case("gmt")
    {
        return Some(0);
    }
    let (sign, rest) = match z.as_bytes().first()? {
        b'+' => (1, &z[1..]),
        b'-' => (-1, &z[1..]),
        _ => return None,
    };
    let (h, m) = if let Some((h, m)) = rest.split_once(':') {
        (num(h, 1..=2)?, num(m, 2..=2)?)
    } else if rest.len() == 4 {
        (num(&rest[..2], 2..=2)?, num(&rest[2..], 2..=2)?)
    } else {
        (num(rest, 1..=2)?, 0)
    };
    if h > 15 || m > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60))
}

fn canon_timestamp(t: &str, with_zone: bool, precision: Option<usize>) -> Option<String> {
    match t.to_ascii_lowercase().as_str() {
        "infinity" | "+infinity" => return Some("infinity".into()),
        "-infinity" => return Some("-infinity".into()),
        _ => {}
    }
    let (date_part, rest) = match t.find([' ', 'T', 't']) {
        Some(i) => (&t[..i], t[i + 1..].trim()),
        None => (t, ""),
    };
    let (y, mo, d) = parse_date(date_part)?;
    // split the zone off the time
    let (time_part, zone) = if rest.is_empty() {
        ("", None)
    } else {
        let zpos = rest
            .char_indices()
            .skip(1)
            .find(|(_, c)| *c == '+' || *c == '-' || c.is_ascii_alphabetic())
            .map(|(i, _)| i);
        match zpos {
            Some(i) => (rest[..i].trim(), Some(&rest[i..])),
            None => (rest, None),
        }
    };
    let (h, mi, s, frac) = if time_part.is_empty() {
        (0, 0, 0, String::new())
    } else {
        parse_time(time_part)?
    };
    let offset = match zone {
        None => 0,
        Some(_) if !with_zone => {
            // timestamp without time zone ignores a zone
            0
        }
        Some(z) => parse_zone(z)?,
    };
    let mut secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset;
    let days = secs.div_euclid(86400);
    secs = secs.rem_euclid(86400);
    let (y2, m2, d2) = civil_from_days(days);
    if !(1..=9999).contains(&y2) {
        return None;
    }
    let f = fraction(&frac, precision)?;
    let hh = secs / 3600;
    let mm = (secs % 3600) / 60;
    let ss = secs % 60;
    let mut out = format!("{y2:04}-{m2:02}-{d2:02} {hh:02}:{mm:02}:{ss:02}{f}");
    if with_zone {
        out.push_str("+00");
    }
    Some(out)
}

/// `interval` input in `N unit` form (integer amounts, non-negative) or `HH:MM[:SS]`,
/// printed in the `postgres` interval style.
fn canon_interval(t: &str) -> Option<String> {
    let lower = t.to_ascii_lowercase();
    let mut tokens: Vec<&str> = lower.split_whitespace().collect();
    if tokens.first() == Some(&"@") {
        tokens.remove(0);
    }
    let (mut months, mut days, mut micros) = (0i64, 0i64, 0i64);
    let mut i = 0;
    while i < tokens.len() {
        let tok = tokens[i];
        if tok.contains(':') {
            let (h, m, s, frac) = parse_interval_time(tok)?;
            micros += ((h * 60 + m) * 60 + s) * 1_000_000 + frac;
            i += 1;
            continue;
        }
        let n: i64 = tok.strip_prefix('+').unwrap_or(tok).parse().ok()?;
        if n < 0 {
            return None;
        }
        let unit = tokens.get(i + 1)?;
        match unit.trim_end_matches(',') {
            "year" | "years" | "y" | "yr" | "yrs" => months += 12 * n,
            "month" | "months" | "mon" | "mons" => months += n,
            "week" | "weeks" | "w" => days += 7 * n,
            "day" | "days" | "d" => days += n,
            "hour" | "hours" | "h" | "hr" | "hrs" => micros += n * 3_600_000_000,
            "minute" | "minutes" | "min" | "mins" | "m" => micros += n * 60_000_000,
            "second" | "seconds" | "sec" | "secs" | "s" => micros += n * 1_000_000,
            "millisecond" | "milliseconds" | "ms" | "msec" | "msecs" => micros += n * 1000,
            "microsecond" | "microseconds" | "us" | "usec" | "usecs" => micros += n,
            _ => return None,
        }
        i += 2;
    }
    if tokens.is_empty() {
        return None;
    }
    let mut parts: Vec<String> = Vec::new();
    let plural = |n: i64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let (years, mons) = (months / 12, months % 12);
    if years != 0 {
        parts.push(plural(years, "year", "years"));
    }
    if mons != 0 {
        parts.push(plural(mons, "mon", "mons"));
    }
    if days != 0 {
        parts.push(plural(days, "day", "days"));
    }
    if micros != 0 || parts.is_empty() {
        let secs = micros / 1_000_000;
        let frac = micros % 1_000_000;
        let mut s = format!(
            "{:02}:{:02}:{:02}",
            secs / 3600,
            (secs % 3600) / 60,
            secs % 60
        );
        if frac != 0 {
            let f = format!("{frac:06}");
            s.push('.');
            s.push_str(f.trim_end_matches('0'));
        }
        parts.push(s);
    }
    Some(parts.join(" "))
}

fn parse_interval_time(tok: &str) -> Option<(i64, i64, i64, i64)> {
    let mut it = tok.split(':');
    let h: i64 = it.next()?.parse().ok()?;
    let m: i64 = it.next()?.parse().ok()?;
    let (s, frac) = match it.next() {
        None => (0, 0),
        Some(x) => {
            let (a, b) = x.split_once('.').unwrap_or((x, ""));
            if b.len() > 6 || !b.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let f = if b.is_empty() {
                0
            } else {
                format!("{b:0<6}").parse().ok()?
            };
            (a.parse().ok()?, f)
        }
    };
    if h < 0 || !(0..60).contains(&m) || !(0..60).contains(&s) || it.next().is_some() {
        return None;
    }
    Some((h, m, s, frac))
}

// ---------------------------------------------------------------------------------------
// Arrays

/// A one-dimensional array literal, elements canonical for `elem` and quoted as
/// `array_out` quotes them.
fn canon_array(t: &str, elem: &TypeRef) -> Option<String> {
    let t = t.trim();
    let inner = t.strip_prefix('{')?.strip_suffix('}')?;
    let mut items: Vec<Option<String>> = Vec::new();
    let mut chars = inner.chars().peekable();
    let bytes_left = |c: &std::iter::Peekable<std::str::Chars>| c.clone().next().is_some();
    if inner.trim().is_empty() {
        return Some("{}".into());
    }
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut item = String::new();
        let quoted = chars.peek() == Some(&'"');
        if quoted {
            chars.next();
            loop {
                match chars.next()? {
                    '\\' => item.push(chars.next()?),
                    '"' => break,
                    c => item.push(c),
                }
            }
            while chars.peek().is_some_and(|c| c.is_whitespace()) {
                chars.next();
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                if c == '{' || c == '}' || c == '"' {
                    return None; // nested or malformed: leave as written
                }
                if c == '\\' {
                    chars.next();
                    item.push(chars.next()?);
                    continue;
                }
                item.push(c);
                chars.next();
            }
            item = item.trim_end().to_string();
        }
        if !quoted && item.eq_ignore_ascii_case("null") {
            items.push(None);
        } else {
            items.push(Some(item));
        }
        match chars.next() {
            None => break,
            Some(',') => {
                if !bytes_left(&chars) {
                    return None;
                }
            }
            Some(_) => return None,
        }
    }
    let mut out = String::from("{");
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match it {
            None => out.push_str("NULL"),
            Some(v) => {
                let v = element_text(v, elem);
                let needs_quotes = v.is_empty()
                    || v.eq_ignore_ascii_case("null")
                    || v.chars().any(|c| {
                        matches!(c, '{' | '}' | ',' | '"' | '\\') || c.is_ascii_whitespace()
                    });
                if needs_quotes {
                    out.push('"');
                    for c in v.chars() {
                        if c == '"' || c == '\\' {
                            out.push('\\');
                        }
                        out.push(c);
                    }
                    out.push('"');
                } else {
                    out.push_str(&v);
                }
            }
        }
    }
    out.push('}');
    Some(out)
}

fn element_text(v: &str, elem: &TypeRef) -> String {
    // boolout prints t/f inside arrays
    if elem.schema.is_none() && elem.name == "boolean" {
        if let Some(b) = parse_bool(v) {
            return if b { "t" } else { "f" }.into();
        }
    }
    canon_value(v, elem).unwrap_or_else(|| v.to_string())
}

// ---------------------------------------------------------------------------------------
// jsonb

#[derive(Debug)]
enum Json {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

struct JsonParser<'a> {
    s: &'a [u8],
    i: usize,
}

impl JsonParser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }
    fn eat(&mut self, lit: &str) -> bool {
        if self.s[self.i..].starts_with(lit.as_bytes()) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }
    fn value(&mut self, depth: usize) -> Option<Json> {
        if depth > 64 {
            return None;
        }
        self.ws();
        let c = *self.s.get(self.i)?;
        match c {
            b'n' if self.eat("null") => Some(Json::Null),
            b't' if self.eat("true") => Some(Json::Bool(true)),
            b'f' if self.eat("false") => Some(Json::Bool(false)),
            b'"' => self.string().map(Json::Str),
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.eat("]") {
                    return Some(Json::Arr(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    if self.eat(",") {
                        continue;
                    }
                    if self.eat("]") {
                        return Some(Json::Arr(items));
                    }
                    return None;
                }
            }
            b'{' => {
                self.i += 1;
                let mut items: Vec<(String, Json)> = Vec::new();
                self.ws();
                if self.eat("}") {
                    return Some(Json::Obj(items));
                }
                loop {
                    self.ws();
                    let k = self.string()?;
                    self.ws();
                    if !self.eat(":") {
                        return None;
                    }
                    let v = self.value(depth + 1)?;
                    // duplicate keys: the last one wins
                    items.retain(|(x, _)| *x != k);
                    items.push((k, v));
                    self.ws();
                    if self.eat(",") {
                        continue;
                    }
                    if self.eat("}") {
                        return Some(Json::Obj(items));
                    }
                    return None;
                }
            }
            b'-' | b'0'..=b'9' => {
                let start = self.i;
                while self.i < self.s.len()
                    && matches!(
                        self.s[self.i],
                        b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'
                    )
                {
                    self.i += 1;
                }
                let text = std::str::from_utf8(&self.s[start..self.i]).ok()?;
                canon_numeric(text).map(Json::Num)
            }
            _ => None,
        }
    }
    fn string(&mut self) -> Option<String> {
        if self.s.get(self.i) != Some(&b'"') {
            return None;
        }
        self.i += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let c = *self.s.get(self.i)?;
            self.i += 1;
            match c {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let e = *self.s.get(self.i)?;
                    self.i += 1;
                    match e {
                        b'"' => out.push(b'"'),
                        b'\\' => out.push(b'\\'),
                        b'/' => out.push(b'/'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'u' => {
                            let hex = std::str::from_utf8(self.s.get(self.i..self.i + 4)?).ok()?;
                            self.i += 4;
                            let cp = u32::from_str_radix(hex, 16).ok()?;
                            // surrogate pairs are not worth it here
                            let ch = char::from_u32(cp)?;
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        _ => return None,
                    }
                }
                c if c < 0x20 => return None,
                c => out.push(c),
            }
        }
    }
}

fn json_escape(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn json_print(v: &mut Json, out: &mut String) {
    match v {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Num(n) => out.push_str(n),
        Json::Str(s) => json_escape(s, out),
        Json::Arr(items) => {
            out.push('[');
            for (i, it) in items.iter_mut().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                json_print(it, out);
            }
            out.push(']');
        }
        Json::Obj(items) => {
            // jsonb orders keys by length, then bytes
            items.sort_by(|a, b| (a.0.len(), a.0.as_bytes()).cmp(&(b.0.len(), b.0.as_bytes())));
            out.push('{');
            for (i, (k, val)) in items.iter_mut().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                json_escape(k, out);
                out.push_str(": ");
                json_print(val, out);
            }
            out.push('}');
        }
    }
}

fn canon_jsonb(t: &str) -> Option<String> {
    let mut p = JsonParser {
        s: t.as_bytes(),
        i: 0,
    };
    let mut v = p.value(0)?;
    p.ws();
    if p.i != p.s.len() {
        return None;
    }
    let mut out = String::new();
    json_print(&mut v, &mut out);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(text: &str, ty: &str) -> Option<String> {
        canon_value(text, &crate::types::parse_type(ty, &[]).unwrap())
    }

    /// The user's spelling and PostgreSQL's output meet, and the output is a fixed point.
    fn meet(user: &str, pg: &str, ty: &str) {
        assert_eq!(c(user, ty).as_deref(), Some(pg), "{user} as {ty}");
        assert_eq!(c(pg, ty).as_deref(), Some(pg), "{pg} as {ty} (fixed point)");
    }

    #[test]
    fn numbers_and_booleans() {
        meet("007", "7", "int");
        meet("+5", "5", "bigint");
        meet("f", "false", "boolean");
        meet("yes", "true", "boolean");
        meet("007.50", "7.50", "numeric");
        meet("1e3", "1000", "numeric");
        meet("-0.0", "0.0", "numeric");
        meet(".5", "0.5", "numeric");
        meet("1.55e1", "15.5", "numeric");
        meet("1.50", "1.5", "float8");
        meet("1e10", "10000000000", "float8");
        assert_eq!(c("1e20", "float8"), None);
    }

    #[test]
    fn inet() {
        meet("10.0.0.1/32", "10.0.0.1", "inet");
        meet("10.0.0.0/8", "10.0.0.0/8", "inet");
        assert_eq!(c("::1", "inet"), None);
    }

    #[test]
    fn uuids() {
        meet(
            "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
            "uuid",
        );
        meet(
            "{a0eebc999c0b4ef8bb6d6bb9bd380a11}",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
            "uuid",
        );
    }

    #[test]
    fn dates_and_times() {
        meet("2020-1-2", "2020-01-02", "date");
        meet("2020-01-01", "2020-01-01 00:00:00+00", "timestamptz");
        meet("2020-01-01T10:00Z", "2020-01-01 10:00:00+00", "timestamptz");
        meet(
            "2020-01-01 01:30+02",
            "2019-12-31 23:30:00+00",
            "timestamptz",
        );
        meet(
            "2020-01-01 10:00:00.500",
            "2020-01-01 10:00:00.5+00",
            "timestamptz",
        );
        meet("2020-01-01 10:00", "2020-01-01 10:00:00", "timestamp");
        meet("10:00", "10:00:00", "time");
        meet("infinity", "infinity", "timestamptz");
        assert_eq!(c("2020-02-30", "date"), None);
        assert_eq!(c("now", "timestamptz"), None);
        assert_eq!(c("10:00:00.123", "time(1)"), None);
    }

    #[test]
    fn intervals() {
        meet("24 hours", "24:00:00", "interval");
        meet("1 day", "1 day", "interval");
        meet("14 months", "1 year 2 mons", "interval");
        meet("2 weeks 3 hours", "14 days 03:00:00", "interval");
        meet("90 seconds", "00:01:30", "interval");
        meet("0 days", "00:00:00", "interval");
        meet(
            "1 year 1 mon 1 day 00:00:01.5",
            "1 year 1 mon 1 day 00:00:01.5",
            "interval",
        );
        assert_eq!(c("-1 day", "interval"), None);
    }

    #[test]
    fn arrays() {
        meet("{\"a\",\"b\"}", "{a,b}", "text[]");
        meet("{ 1, 2 ,3}", "{1,2,3}", "int[]");
        meet(
            "{\"a b\",\"\",NULL,\"null\"}",
            "{\"a b\",\"\",NULL,\"null\"}",
            "text[]",
        );
        meet("{true,false}", "{t,f}", "boolean[]");
        meet("{}", "{}", "int[]");
        assert_eq!(c("{{1,2},{3,4}}", "int[]"), None);
    }

    #[test]
    fn jsonb() {
        meet("{\"a\":1}", "{\"a\": 1}", "jsonb");
        meet(
            "{\"bb\": 1, \"a\": [1,2, {\"c\":null}], \"a\": true}",
            "{\"a\": true, \"bb\": 1}",
            "jsonb",
        );
        meet("[1.50, 1e2, \"x\\u0041\"]", "[1.50, 100, \"xA\"]", "jsonb");
        meet("{}", "{}", "jsonb");
        assert_eq!(c("{bad}", "jsonb"), None);
        assert_eq!(c("{\"a\":1}", "json"), None);
    }
}
