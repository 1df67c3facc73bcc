//! Calendar arithmetic without a date crate: the simulator's dates must not depend on a library's
//! formatting choices, and the few conversions it needs are short.

pub const DAY_MS: i64 = 86_400_000;

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

pub fn format_date(ms: i64) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(DAY_MS));
    format!("{y:04}-{m:02}-{d:02}")
}

pub fn format_iso(ms: i64) -> String {
    let day = ms.div_euclid(DAY_MS);
    let rem = ms.rem_euclid(DAY_MS);
    let (h, mi, s, milli) = (rem / 3_600_000, rem / 60_000 % 60, rem / 1000 % 60, rem % 1000);
    format!("{}T{h:02}:{mi:02}:{s:02}.{milli:03}Z", format_date(day * DAY_MS))
}

/// Parses `yyyy-MM-dd`, `yyyy-MM-ddTHH:mm[:ss[.SSS]]` with an optional `Z` or `±hh:mm`, or epoch
/// milliseconds as digits. Naive times are taken as UTC.
pub fn parse(text: &str) -> Option<i64> {
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse().ok();
    }
    let num = |s: &str| -> Option<i64> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let (date, rest) = match t.find(['T', ' ']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let mut parts = date.split('-');
    let (y, m, d) = (num(parts.next()?)?, num(parts.next()?)?, num(parts.next()?)?);
    if parts.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let mut ms = days_from_civil(y, m, d) * DAY_MS;
    if let Some(rest) = rest {
        let (clock, offset_ms) = if let Some(c) = rest.strip_suffix('Z') {
            (c, 0)
        } else if let Some(i) = rest.rfind(['+', '-']) {
            let (sign, off) = (if &rest[i..=i] == "-" { -1 } else { 1 }, &rest[i + 1..]);
            let (oh, om) = off.split_once(':').unwrap_or((off.get(..2)?, off.get(2..).unwrap_or("0")));
            (&rest[..i], sign * (num(oh)? * 3_600_000 + num(om)? * 60_000))
        } else {
            (rest, 0)
        };
        let (hms, frac) = clock.split_once('.').unwrap_or((clock, ""));
        let mut f = hms.split(':');
        let h = num(f.next()?)?;
        let mi = num(f.next()?)?;
        let s = f.next().map(num).unwrap_or(Some(0))?;
        let milli = if frac.is_empty() { 0 } else { num(&format!("{:0<3}", &frac[..frac.len().min(3)]))? };
        ms += h * 3_600_000 + mi * 60_000 + s * 1000 + milli - offset_ms;
    }
    Some(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_variants() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
        let ms = parse("2024-02-05T08:34:35.253Z").expect("iso with millis");
        assert_eq!(format_iso(ms), "2024-02-05T08:34:35.253Z");
        assert_eq!(parse("2024-02-05T10:34:35.253+02:00"), Some(ms));
        assert_eq!(parse("2024-02-05"), Some(days_from_civil(2024, 2, 5) * DAY_MS));
        assert_eq!(parse("1707122075253"), Some(1_707_122_075_253));
        assert_eq!(parse("2024-13-01"), None);
        assert_eq!(parse("soon"), None);
    }
}
