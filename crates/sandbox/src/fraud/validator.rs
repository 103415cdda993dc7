//! Judges a request's fraud prevention headers against specification 3.3, per connection
//! method (`platform.md` §8–9): required headers, encoding, realistic values, and the headers
//! that must agree with each other. Errors are `MISSING_HEADER`, `INVALID_HEADER` and the
//! cross-header `INVALID_HEADERS`; warnings are `POTENTIALLY_INVALID_HEADER` and `EMPTY_HEADER`.

use std::net::IpAddr;

use chrono::{DateTime, NaiveDateTime, Utc};
use mtd_domain::fraud_prevention::{
    ConnectionMethod, EncodingError, Header, decode, names_an_interface, parse_list,
};

/// Key-value pairs, each key once.
fn parse_key_values(raw: &str) -> Result<Vec<(String, String)>, EncodingError> {
    let pairs = mtd_domain::fraud_prevention::parse_key_values(raw)?;
    for (i, (k, _)) in pairs.iter().enumerate() {
        if pairs[..i].iter().any(|(seen, _)| seen == k) {
            return Err(EncodingError::RepeatedKey);
        }
    }
    Ok(pairs)
}

/// A timestamp may run this far ahead of our wall clock (the device's clock is not ours).
const FUTURE_SKEW_SECS: i64 = 60;
/// A timestamp older than this was not taken just before the request.
const STALE_SECS: i64 = 3600;
/// One older than this is a constant, not a reading.
const STALE_DAY_SECS: i64 = 86_400;

/// HMRC's own example device ID, which software copied from the specification sends.
const EXAMPLE_DEVICE_ID: &str = "beec798b-b366-47fa-b1f8-92cede14a1ce";

/// UTC offsets in use somewhere in the world.
const RECOGNISED_OFFSETS: &[&str] = &[
    "-12:00", "-11:00", "-10:00", "-09:30", "-09:00", "-08:00", "-07:00", "-06:00", "-05:00",
    "-04:00", "-03:30", "-03:00", "-02:30", "-02:00", "-01:00", "+00:00", "+01:00", "+02:00",
    "+03:00", "+03:30", "+04:00", "+04:30", "+05:00", "+05:30", "+05:45", "+06:00", "+06:30",
    "+07:00", "+08:00", "+08:45", "+09:00", "+09:30", "+10:00", "+10:30", "+11:00", "+12:00",
    "+12:45", "+13:00", "+13:45", "+14:00",
];

/// What software sends when it has no value, which HMRC treats as wrong data.
const PLACEHOLDERS: &[&str] = &[
    "null",
    "(null)",
    "<null>",
    "nil",
    "\"\"",
    "''",
    "undefined",
    "unknown",
    "none",
    "nan",
    "n/a",
    "[object object]",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: &'static str,
    pub message: String,
    pub headers: Vec<Header>,
}

/// One header as received, with what was found about it.
#[derive(Debug, Clone)]
pub struct HeaderVerdict {
    pub header: Header,
    pub value: Option<String>,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
    /// `MISSING_HEADER`, `INVALID_HEADER`, `EMPTY_HEADER`, `POTENTIALLY_INVALID_HEADER` or
    /// `VALID_HEADER`.
    pub code: &'static str,
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub method: Option<ConnectionMethod>,
    pub errors: Vec<Finding>,
    pub warnings: Vec<Finding>,
    /// The required and received headers, one verdict each.
    pub headers: Vec<HeaderVerdict>,
    /// Findings that involve several headers (also in `errors`).
    pub cross: Vec<Finding>,
    /// No fraud prevention header at all.
    pub none_sent: bool,
}

impl Report {
    pub fn code(&self) -> &'static str {
        if !self.errors.is_empty() {
            "INVALID_HEADERS"
        } else if !self.warnings.is_empty() {
            "POTENTIALLY_INVALID_HEADERS"
        } else {
            "VALID_HEADERS"
        }
    }

    pub fn message(&self) -> &'static str {
        if self.none_sent {
            "No fraud prevention headers submitted. These are required by law. Check the specification."
        } else if !self.errors.is_empty() {
            "At least 1 header is invalid"
        } else if !self.warnings.is_empty() {
            "At least 1 header is potentially invalid"
        } else {
            "All headers appear to be valid"
        }
    }
}

/// The kind of finding, before it is tied to a header.
enum Issue {
    Invalid(String),
    Potential(String),
    Empty(String),
}

fn invalid(m: impl Into<String>) -> Issue {
    Issue::Invalid(m.into())
}

fn potential(m: impl Into<String>) -> Issue {
    Issue::Potential(m.into())
}

fn encoding(e: EncodingError) -> Issue {
    invalid(format!("Value {e}"))
}

/// Judges `received` (name, value pairs as they arrived) at `now` on the wall clock.
pub fn validate(received: &[(String, String)], now: DateTime<Utc>) -> Report {
    // A header sent more than once is one comma-joined value, as HTTP reads it: a list grows,
    // and anything else becomes invalid.
    let value_of = |h: Header| {
        let all: Vec<&str> = received
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(h.name()))
            .map(|(_, v)| v.as_str())
            .collect();
        (!all.is_empty()).then(|| all.join(","))
    };
    let mut report = Report {
        none_sent: Header::ALL.into_iter().all(|h| value_of(h).is_none()),
        ..Report::default()
    };
    let method_value = value_of(Header::ConnectionMethod);
    report.method = method_value.as_deref().and_then(ConnectionMethod::parse);
    for h in Header::ALL {
        let value = value_of(h);
        // Without a known method, judge the headers every method sends.
        let required = match report.method {
            Some(m) => h.required_for(m),
            None => ConnectionMethod::ALL.iter().all(|m| h.required_for(*m)),
        };
        let issues = match &value {
            None if !required => continue,
            None if h.may_be_left_out() => vec![potential(
                "Header missing. Leave it out only where the data does not exist, and tell HMRC why",
            )],
            None if h == Header::PublicPort => vec![invalid(
                "Header missing. You will not be able to submit a header if the connection is between client and server in a private network",
            )],
            None => {
                let f = Finding {
                    code: "MISSING_HEADER",
                    message: "Header required".into(),
                    headers: vec![h],
                };
                report.headers.push(HeaderVerdict {
                    header: h,
                    value: None,
                    errors: vec![f.message.clone()],
                    warnings: vec![],
                    code: "MISSING_HEADER",
                });
                report.errors.push(f);
                continue;
            }
            Some(v) => judge(h, v, report.method, now),
        };
        let mut verdict = HeaderVerdict {
            header: h,
            value: value.clone(),
            errors: vec![],
            warnings: vec![],
            code: "VALID_HEADER",
        };
        for issue in issues {
            let (code, message, is_error) = match issue {
                Issue::Invalid(m) if value.is_none() => ("MISSING_HEADER", m, true),
                Issue::Invalid(m) => ("INVALID_HEADER", m, true),
                Issue::Potential(m) => ("POTENTIALLY_INVALID_HEADER", m, false),
                Issue::Empty(m) => ("EMPTY_HEADER", m, false),
            };
            let finding = Finding {
                code,
                message: message.clone(),
                headers: vec![h],
            };
            if is_error {
                verdict.errors.push(message);
                verdict.code = code;
                report.errors.push(finding);
            } else {
                verdict.warnings.push(message);
                if verdict.errors.is_empty() {
                    verdict.code = if value.is_none() {
                        "MISSING_HEADER"
                    } else {
                        code
                    };
                }
                report.warnings.push(finding);
            }
        }
        report.headers.push(verdict);
    }
    for f in cross_check(&value_of) {
        report.errors.push(f.clone());
        report.cross.push(f);
    }
    report
}

fn judge(h: Header, raw: &str, method: Option<ConnectionMethod>, now: DateTime<Utc>) -> Vec<Issue> {
    if raw.trim().is_empty() {
        return vec![if h.may_be_left_out() {
            Issue::Empty(
                "Header is empty. Send it empty only where the data does not exist, and tell HMRC why"
                    .into(),
            )
        } else {
            invalid("Value must not be empty")
        }];
    }
    if !raw.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return vec![encoding(EncodingError::NotAscii)];
    }
    let mut out = match h {
        Header::ConnectionMethod => match ConnectionMethod::parse(raw) {
            Some(_) => vec![],
            None => vec![invalid(
                "Value must be one of the connection methods in the specification",
            )],
        },
        Header::DeviceId => device_id(raw),
        Header::UserIds => user_ids(raw, method),
        Header::Timezone => timezone(raw),
        Header::LocalIps => ip_list(raw),
        Header::LocalIpsTimestamp | Header::PublicIpTimestamp => timestamp(raw, now),
        Header::MacAddresses => macs(raw),
        Header::MultiFactor => multi_factor(raw, now),
        Header::PublicIp | Header::VendorPublicIp => match single_ip(raw) {
            Ok(ip) if is_public(ip) => vec![],
            Ok(_) => vec![invalid(
                "Value must be a public IP address, not a private, loopback or reserved one",
            )],
            Err(i) => vec![i],
        },
        Header::PublicPort => match raw
            .parse::<u32>()
            .ok()
            .filter(|_| raw.bytes().all(|b| b.is_ascii_digit()) && !raw.starts_with('0'))
        {
            Some(80 | 443) => vec![invalid(
                "Value must be the client's source port, not a server port like 80 or 443",
            )],
            Some(1..=65535) => vec![],
            _ => vec![invalid("Value must be a port number from 1 to 65535")],
        },
        Header::Screens => groups(raw, |pairs| {
            let mut out = positive_ints(pairs, &["width", "height", "colour-depth"]);
            match get(pairs, "scaling-factor").map(|v| v.parse::<f64>()) {
                Some(Ok(f)) if f > 0.0 && f.is_finite() => {}
                _ => out.push(invalid("Each screen needs a positive scaling-factor")),
            }
            out
        }),
        Header::WindowSize => match parse_key_values(raw) {
            Ok(pairs) => positive_ints(&pairs, &["width", "height"]),
            Err(e) => vec![encoding(e)],
        },
        Header::UserAgent => match parse_key_values(raw) {
            Ok(pairs) => ["os-family", "os-version"]
                .iter()
                .filter(|k| get(&pairs, k).is_none_or(str::is_empty))
                .map(|k| invalid(format!("Value must include {k}")))
                .collect(),
            Err(e) => vec![encoding(e)],
        },
        Header::BrowserJsUserAgent => {
            if raw.starts_with("Mozilla/") {
                vec![]
            } else {
                vec![potential(
                    "Value does not look like a browser's navigator.userAgent",
                )]
            }
        }
        Header::VendorVersion => match parse_key_values(raw) {
            Ok(pairs) if pairs.iter().any(|(k, v)| k.is_empty() || v.is_empty()) => {
                vec![invalid("Each software name needs a version")]
            }
            Ok(pairs) if pairs.len() < 2 && method.is_some_and(ConnectionMethod::via_server) => {
                vec![potential(
                    "Give the version of both the client software and the server software",
                )]
            }
            Ok(_) => vec![],
            Err(e) => vec![encoding(e)],
        },
        Header::VendorProductName => match decode(raw) {
            Ok(_) => vec![],
            Err(e) => vec![encoding(e)],
        },
        Header::VendorLicenseIds => match parse_key_values(raw) {
            Ok(pairs) if pairs.iter().any(|(_, v)| v.is_empty()) => {
                vec![invalid("Each software name needs its hashed licence key")]
            }
            Ok(_) => vec![],
            Err(e) => vec![encoding(e)],
        },
        Header::VendorForwarded => groups(raw, |pairs| {
            ["by", "for"]
                .iter()
                .filter_map(|k| match get(pairs, k).map(|v| v.parse::<IpAddr>()) {
                    Some(Ok(ip)) if is_public(ip) => None,
                    Some(Ok(_)) => {
                        Some(invalid("Hops inside a private network must not be listed"))
                    }
                    _ => Some(invalid(format!("Each hop needs an IP address for {k}"))),
                })
                .collect()
        }),
    };
    if let Some(p) = placeholder(h, raw) {
        out.insert(
            0,
            invalid(format!(
                "Value contains the placeholder {p:?}; leave missing data out instead"
            )),
        );
    }
    out
}

/// A placeholder standing for a whole value, a list item or a key's value.
fn placeholder(h: Header, raw: &str) -> Option<String> {
    let pieces: Vec<String> = match h {
        Header::UserIds
        | Header::WindowSize
        | Header::UserAgent
        | Header::VendorVersion
        | Header::VendorLicenseIds => parse_key_values(raw)
            .map(|p| {
                p.into_iter()
                    .map(|(_, v)| v)
                    .filter(|v| !v.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        Header::LocalIps | Header::MacAddresses => parse_list(raw).unwrap_or_default(),
        Header::Screens | Header::MultiFactor | Header::VendorForwarded => raw
            .split(',')
            .filter_map(|g| parse_key_values(g).ok())
            .flatten()
            .map(|(_, v)| v)
            .filter(|v| !v.is_empty())
            .collect(),
        _ => vec![decode(raw).unwrap_or_else(|_| raw.to_owned())],
    };
    pieces.into_iter().find(|p| {
        p.trim().is_empty()
            || p.chars().any(char::is_control)
            || PLACEHOLDERS.contains(&p.trim().to_ascii_lowercase().as_str())
    })
}

fn get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn positive_ints(pairs: &[(String, String)], keys: &[&str]) -> Vec<Issue> {
    keys.iter()
        .filter(|k| {
            get(pairs, k)
                .and_then(|v| v.parse::<u32>().ok())
                .is_none_or(|n| n == 0)
        })
        .map(|k| invalid(format!("Value needs {k} as a positive whole number")))
        .collect()
}

/// A list of key-value groups, each judged by `each`.
fn groups(raw: &str, each: impl Fn(&[(String, String)]) -> Vec<Issue>) -> Vec<Issue> {
    let mut out = Vec::new();
    for group in raw.split(',') {
        if group.is_empty() {
            return vec![encoding(EncodingError::EmptyItem)];
        }
        match parse_key_values(group) {
            Ok(pairs) => out.extend(each(&pairs)),
            Err(e) => return vec![encoding(e)],
        }
    }
    out
}

fn device_id(raw: &str) -> Vec<Issue> {
    match uuid::Uuid::try_parse(raw) {
        Ok(_) if raw.len() != 36 => vec![invalid("Value must be a UUID in its hyphenated form")],
        Ok(u) if u.is_nil() || u.is_max() => vec![invalid(
            "Value must be a UUID made for this device, not a constant",
        )],
        Ok(_) if raw.eq_ignore_ascii_case(EXAMPLE_DEVICE_ID) => vec![potential(
            "Value is the example from the specification; make a UUID once per device and keep it",
        )],
        Ok(_) => vec![],
        Err(_) => vec![invalid(
            "Value must be a UUID generated and stored on the device",
        )],
    }
}

fn user_ids(raw: &str, method: Option<ConnectionMethod>) -> Vec<Issue> {
    let pairs = match parse_key_values(raw) {
        Ok(p) => p,
        Err(e) => return vec![encoding(e)],
    };
    if pairs.iter().all(|(_, v)| v.is_empty()) {
        return vec![invalid(
            "Value must identify the user in at least one account",
        )];
    }
    let os = get(&pairs, "os").filter(|v| !v.is_empty());
    match method {
        Some(ConnectionMethod::WebAppViaServer) if os.is_some() => vec![potential(
            "os is the user on the device running the app; a web app does not know it. Check the connection method",
        )],
        Some(
            ConnectionMethod::WebAppViaServer
            | ConnectionMethod::MobileAppDirect
            | ConnectionMethod::MobileAppViaServer,
        )
        | None => vec![],
        Some(_) if os.is_none() => {
            vec![invalid("Value must include os, the operating system user")]
        }
        Some(_) => vec![],
    }
}

fn timezone(raw: &str) -> Vec<Issue> {
    // Offsets in use, and any quarter hour from -12:00 to +14:00 (HMRC's own example is
    // UTC-01:15).
    let quarter_hour = raw.strip_prefix("UTC").is_some_and(|o| {
        if !shaped(&o.replacen('+', "-", 1), "-99:99") {
            return false;
        }
        let (h, m): (u32, u32) = (o[1..3].parse().unwrap_or(99), o[4..].parse().unwrap_or(99));
        let limit = if o.starts_with('+') { 14 * 60 } else { 12 * 60 };
        m % 15 == 0 && m < 60 && h * 60 + m <= limit && o != "-00:00"
    });
    let recognised = quarter_hour
        || raw
            .strip_prefix("UTC")
            .is_some_and(|offset| RECOGNISED_OFFSETS.contains(&offset));
    if recognised {
        vec![]
    } else {
        vec![invalid(
            "Value must be a recognised timezone in UTC format, submitted as UTC±<hh>:<mm>",
        )]
    }
}

fn ip_list(raw: &str) -> Vec<Issue> {
    let items = match parse_list(raw) {
        Ok(i) => i,
        Err(e) => return vec![encoding(e)],
    };
    items
        .iter()
        .filter_map(|i| match i.parse::<IpAddr>() {
            Ok(ip) if !names_an_interface(ip) => Some(invalid(
                format!("{i} is not an address of a network interface: leave out loopback and unspecified addresses"),
            )),
            Ok(_) => None,
            Err(_) => Some(invalid(format!("{i} is not an IP address"))),
        })
        .collect()
}

/// Whether `raw` has `pattern`'s shape, where `9` stands for any digit.
fn shaped(raw: &str, pattern: &str) -> bool {
    raw.len() == pattern.len()
        && raw.bytes().zip(pattern.bytes()).all(|(r, p)| {
            if p == b'9' {
                r.is_ascii_digit()
            } else {
                r == p
            }
        })
}

fn timestamp(raw: &str, now: DateTime<Utc>) -> Vec<Issue> {
    // chrono reads a 60th second as a leap second; none is ever stamped here.
    let shape = shaped(raw, "9999-99-99T99:99:99.999Z") && &raw[17..19] != "60";
    let parsed = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.3fZ");
    match parsed {
        Ok(t) if shape => {
            let age = now.signed_duration_since(t.and_utc()).num_seconds();
            if age < -FUTURE_SKEW_SECS {
                vec![invalid("Timestamp is in the future")]
            } else if age > STALE_DAY_SECS {
                vec![invalid(
                    "Timestamp is more than a day old: it was not collected for this request",
                )]
            } else if age > STALE_SECS {
                vec![potential(
                    "Timestamp is more than an hour old: collect it just before each request",
                )]
            } else {
                vec![]
            }
        }
        _ => vec![invalid(
            "Value must be a UTC timestamp like 2020-09-21T14:30:05.123Z, with three-digit milliseconds",
        )],
    }
}

fn macs(raw: &str) -> Vec<Issue> {
    let items = match parse_list(raw) {
        Ok(i) => i,
        Err(e) => return vec![encoding(e)],
    };
    items
        .iter()
        .filter_map(|m| {
            let octets: Vec<&str> = m.split(':').collect();
            let shaped = octets.len() == 6
                && octets
                    .iter()
                    .all(|o| o.len() == 2 && o.bytes().all(|b| b.is_ascii_hexdigit()));
            if !shaped {
                Some(invalid(format!(
                    "{m} is not a MAC address like ea:43:1a:5d:21:45"
                )))
            } else if octets.iter().all(|o| *o == "00")
                || octets.iter().all(|o| o.eq_ignore_ascii_case("ff"))
            {
                Some(invalid(format!(
                    "{m} is not the address of a real network interface"
                )))
            } else {
                None
            }
        })
        .collect()
}

fn multi_factor(raw: &str, now: DateTime<Utc>) -> Vec<Issue> {
    groups(raw, |pairs| {
        let mut out = Vec::new();
        if !matches!(get(pairs, "type"), Some("TOTP" | "AUTH_CODE" | "OTHER")) {
            out.push(invalid("Each factor needs type TOTP, AUTH_CODE or OTHER"));
        }
        let at = get(pairs, "timestamp").unwrap_or_default();
        let parsed = [
            ("9999-99-99T99:99Z", "%Y-%m-%dT%H:%MZ"),
            ("9999-99-99T99:99:99Z", "%Y-%m-%dT%H:%M:%SZ"),
            ("9999-99-99T99:99:99.999Z", "%Y-%m-%dT%H:%M:%S%.3fZ"),
        ]
        .iter()
        .filter(|(shape, _)| shaped(at, shape))
        .find_map(|(_, f)| NaiveDateTime::parse_from_str(at, f).ok());
        let ok = parsed
            .is_some_and(|t| t.and_utc() <= now + chrono::Duration::seconds(FUTURE_SKEW_SECS));
        if !ok {
            out.push(invalid(
                "Each factor needs a UTC timestamp like 2021-11-21T13:23Z",
            ));
        }
        if get(pairs, "unique-reference").is_none_or(str::is_empty) {
            out.push(invalid("Each factor needs a unique-reference"));
        }
        out
    })
}

/// An IP in a single-value header; an IPv6 address may come percent-encoded or not.
fn single_ip(raw: &str) -> Result<IpAddr, Issue> {
    let text = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
    text.parse()
        .map_err(|_| invalid(format!("{raw} is not an IP address")))
}

/// Reachable on the internet. HMRC's own examples use the documentation ranges, so they count.
fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            let documentation = matches!(o, [192, 0, 2, _] | [198, 51, 100, _] | [203, 0, 113, _]);
            let shared = o[0] == 100 && (64..128).contains(&o[1]);
            let protocol = matches!(o, [192, 0, 0, _]);
            let benchmarking = o[0] == 198 && (18..20).contains(&o[1]);
            documentation
                || !(v4.is_private()
                    || v4.is_loopback()
                    || v4.is_link_local()
                    || v4.is_unspecified()
                    || v4.is_broadcast()
                    || v4.is_multicast()
                    || shared
                    || protocol
                    || benchmarking
                    || o[0] == 0
                    || o[0] >= 240)
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            let unique_local = first & 0xfe00 == 0xfc00;
            // fe80::/10 link-local and the retired fec0::/10 site-local.
            let link_local = first & 0xff80 == 0xfe80;
            // Addresses that carry an IPv4 address inside are judged by it.
            let inner =
                |hi: u16, lo: u16| std::net::Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
            let embedded = match v6.segments() {
                [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => Some(inner(hi, lo)),
                [0, 0, 0, 0, 0, 0, hi, lo] if hi != 0 => Some(inner(hi, lo)),
                [0x2002, hi, lo, ..] => Some(inner(hi, lo)),
                _ => None,
            };
            if let Some(v4) = embedded {
                return is_public(IpAddr::V4(v4));
            }
            let documentation = first == 0x2001 && v6.segments()[1] == 0x0db8;
            match v6.to_ipv4_mapped() {
                Some(v4) => is_public(IpAddr::V4(v4)),
                None => {
                    documentation
                        || !(v6.is_loopback()
                            || v6.is_unspecified()
                            || v6.is_multicast()
                            || unique_local
                            || link_local)
                }
            }
        }
    }
}

/// Headers that must agree: local IPs come with their timestamp; the first hop of
/// `Gov-Vendor-Forwarded` runs from the client's public IP to the vendor's, and each later hop
/// from the server before; and a client's public IP that is the vendor's own was taken at the
/// wrong end.
fn cross_check(value_of: &dyn Fn(Header) -> Option<String>) -> Vec<Finding> {
    let mut out = Vec::new();
    if value_of(Header::LocalIps).is_some() && value_of(Header::LocalIpsTimestamp).is_none() {
        out.push(Finding {
            code: "INVALID_HEADERS",
            message: "Local IPs were sent without the time they were collected".into(),
            headers: vec![Header::LocalIps, Header::LocalIpsTimestamp],
        });
    }
    let ip = |h| value_of(h).and_then(|v| single_ip(&v).ok());
    let (client, vendor) = (ip(Header::PublicIp), ip(Header::VendorPublicIp));
    if let (Some(c), Some(v)) = (client, vendor)
        && c == v
    {
        out.push(Finding {
            code: "INVALID_HEADERS",
            message:
                "The client's public IP is the vendor's: take the address the client connects from"
                    .into(),
            headers: vec![Header::PublicIp, Header::VendorPublicIp],
        });
    }
    let hops: Vec<Vec<(String, String)>> = value_of(Header::VendorForwarded)
        .map(|f| {
            f.split(',')
                .filter_map(|g| parse_key_values(g).ok())
                .collect()
        })
        .unwrap_or_default();
    // Each later hop forwards for the server of the hop before it.
    if hops
        .windows(2)
        .any(|w| get(&w[1], "for") != get(&w[0], "by"))
    {
        out.push(Finding {
            code: "INVALID_HEADERS",
            message: "Each hop of Gov-Vendor-Forwarded after the first must be for the server of the hop before".into(),
            headers: vec![Header::VendorForwarded],
        });
    }
    let first_hop = hops.first().cloned();
    if let Some(hop) = first_hop {
        let addr = |k| get(&hop, k).and_then(|v| v.parse::<IpAddr>().ok());
        if addr("by") != vendor || addr("for") != client {
            out.push(Finding {
                code: "INVALID_HEADERS",
                message: "The first hop of Gov-Vendor-Forwarded must be by Gov-Vendor-Public-IP for Gov-Client-Public-IP".into(),
                headers: vec![Header::VendorForwarded, Header::VendorPublicIp, Header::PublicIp],
            });
        }
    }
    out
}
