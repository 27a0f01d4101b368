//! RFC 3339 times, as Envoy's `%START_TIME%` writes them
//! (`2026-11-28T20:41:07.311Z`) and as `--since` and `--until` take them
//! (a date alone is its midnight, UTC): read to milliseconds since 1970 and
//! written back, without a date crate.

/// Milliseconds since 1970-01-01T00:00:00Z.
pub type Millis = i64;

/// `YYYY-MM-DD`, optionally `THH:MM[:SS[.fraction]]` and `Z` or `±HH:MM`.
pub fn parse_time(text: &str) -> Option<Millis> {
    let text = text.trim();
    let (date, rest) = text.split_at_checked(10)?;
    let mut parts = date.split('-');
    let year: i64 = number(parts.next()?, 4)?;
    let month: i64 = number(parts.next()?, 2)?;
    let day: i64 = number(parts.next()?, 2)?;
    if parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if rest.is_empty() {
        return Some(days * 86_400_000);
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let (clock, offset_minutes) = split_offset(rest)?;
    let mut fields = clock.split(':');
    let hours: i64 = number(fields.next()?, 2)?;
    let minutes: i64 = number(fields.next()?, 2)?;
    let (seconds, millis) = match fields.next() {
        None => (0, 0),
        Some(seconds) => {
            let (whole, fraction) = seconds.split_once('.').unwrap_or((seconds, ""));
            let millis = format!("{fraction:0<3}");
            let millis = millis.get(..3)?;
            let millis = if fraction.is_empty() {
                0
            } else {
                number(millis, 3)?
            };
            (number(whole, 2)?, millis)
        }
    };
    if fields.next().is_some() || hours > 23 || minutes > 59 || seconds > 60 {
        return None;
    }
    let seconds_of_day = hours * 3600 + minutes * 60 + seconds - offset_minutes * 60;
    Some((days * 86_400 + seconds_of_day) * 1000 + millis)
}

/// `2026-11-28T20:41:07Z`.
pub fn format_time(millis: Millis) -> String {
    let seconds = millis.div_euclid(1000);
    let (days, second_of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    )
}

/// Exactly `digits` ASCII digits.
fn number(text: &str, digits: usize) -> Option<i64> {
    if text.len() != digits || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The clock and the offset east of UTC, in minutes.
fn split_offset(text: &str) -> Option<(&str, i64)> {
    if let Some(clock) = text.strip_suffix(['Z', 'z']) {
        return Some((clock, 0));
    }
    let at = text.rfind(['+', '-'])?;
    let (clock, offset) = text.split_at_checked(at)?;
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let (hours, minutes) = offset.get(1..)?.split_once(':')?;
    Some((clock, sign * (number(hours, 2)? * 60 + number(minutes, 2)?)))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    (year_of_era + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envoy_start_times_and_command_line_forms() {
        let t = parse_time("2026-11-28T20:41:07.311Z").unwrap();
        assert_eq!(t % 1000, 311);
        assert_eq!(format_time(t), "2026-11-28T20:41:07Z");
        assert_eq!(parse_time("2026-11-28"), parse_time("2026-11-28T00:00:00Z"));
        assert_eq!(
            parse_time("2026-11-28T20:41Z"),
            parse_time("2026-11-28T20:41:00.000Z")
        );
        assert_eq!(
            parse_time("2026-11-28T21:41:07+01:00"),
            parse_time("2026-11-28T20:41:07Z")
        );
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_time("2000-03-01T00:00:00Z"), Some(951_868_800_000));
        for bad in [
            "",
            "2026-13-01",
            "2026-11-28T25:00Z",
            "yesterday",
            "2026-11-28T20:41:07",
            "26-11-28",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_day_round_trips() {
        for days in -800_000..800_000 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
