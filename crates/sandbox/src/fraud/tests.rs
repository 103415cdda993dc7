//! The validator, fed header sets for the three methods our client emits, valid and broken in
//! each way the specification forbids and each way software commonly gets it wrong.

use chrono::{DateTime, Duration, Utc};
use mtd_domain::fraud_prevention::timestamp;

use super::validator::validate;

fn now() -> DateTime<Utc> {
    "2026-07-01T12:00:00Z".parse().unwrap()
}

fn ts(offset_secs: i64) -> String {
    timestamp(now() + Duration::seconds(offset_secs))
}

fn desktop() -> Vec<(&'static str, String)> {
    vec![
        ("Gov-Client-Connection-Method", "DESKTOP_APP_DIRECT".into()),
        ("Gov-Client-Device-ID", "3f1c2a8e-5b7d-4e0a-9c6f-1d2e3f4a5b6c".into()),
        ("Gov-Client-User-IDs", "os=alice".into()),
        ("Gov-Client-Timezone", "UTC+01:00".into()),
        ("Gov-Client-Local-IPs", "10.1.2.3,fe80%3A%3A1c2d%3A3e4f".into()),
        ("Gov-Client-Local-IPs-Timestamp", ts(-2)),
        ("Gov-Client-MAC-Addresses", "ea%3A43%3A1a%3A5d%3A21%3A45".into()),
        ("Gov-Client-Multi-Factor", format!("type=TOTP&timestamp={}&unique-reference=0283a4f9", "2026-07-01T11%3A58Z")),
        ("Gov-Client-Screens", "width=1920&height=1080&scaling-factor=1&colour-depth=24".into()),
        ("Gov-Client-Window-Size", "width=1256&height=803".into()),
        ("Gov-Client-User-Agent", "os-family=Linux&os-version=Debian%2012&device-manufacturer=Dell%20Inc.&device-model=XPS%2013".into()),
        ("Gov-Vendor-Version", "mtd=0.1.0".into()),
        ("Gov-Vendor-Product-Name", "mtd".into()),
        ("Gov-Vendor-License-IDs", "mtd=8d79a0c3e1".into()),
    ]
}

fn batch() -> Vec<(&'static str, String)> {
    let drop = [
        "Gov-Client-Multi-Factor",
        "Gov-Client-Screens",
        "Gov-Client-Window-Size",
    ];
    let mut h: Vec<_> = desktop()
        .into_iter()
        .filter(|(n, _)| !drop.contains(n))
        .collect();
    h[0].1 = "BATCH_PROCESS_DIRECT".into();
    h
}

fn web() -> Vec<(&'static str, String)> {
    vec![
        ("Gov-Client-Connection-Method", "WEB_APP_VIA_SERVER".into()),
        ("Gov-Client-Device-ID", "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d".into()),
        ("Gov-Client-User-IDs", "my-app=alice%40example.com".into()),
        ("Gov-Client-Timezone", "UTC+05:30".into()),
        ("Gov-Client-Public-IP", "198.51.100.7".into()),
        ("Gov-Client-Public-IP-Timestamp", ts(-1)),
        ("Gov-Client-Public-Port", "51234".into()),
        ("Gov-Client-Multi-Factor", "type=AUTH_CODE&timestamp=2026-07-01T11%3A50Z&unique-reference=fc4b5fd6".into()),
        ("Gov-Client-Screens", "width=1920&height=1080&scaling-factor=1&colour-depth=24,width=3000&height=2000&scaling-factor=1.25&colour-depth=16".into()),
        ("Gov-Client-Window-Size", "width=1256&height=803".into()),
        ("Gov-Client-Browser-JS-User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36".into()),
        ("Gov-Vendor-Version", "my-web=2.2.2&my-server=3.8".into()),
        ("Gov-Vendor-Product-Name", "My%20Tax%20App".into()),
        ("Gov-Vendor-License-IDs", "my-web=8d79a0c3e1".into()),
        ("Gov-Vendor-Public-IP", "203.0.113.6".into()),
        ("Gov-Vendor-Forwarded", "by=203.0.113.6&for=198.51.100.7".into()),
    ]
}

/// How a case changes its base set.
enum Change {
    None,
    Set(&'static str, String),
    Remove(&'static str),
    /// The header sent a second time.
    Again(&'static str, String),
    /// Every header gone.
    Nothing,
}

use Change::{Again, Nothing, Remove, Set};

type Case = (
    &'static str,
    fn() -> Vec<(&'static str, String)>,
    Change,
    &'static str,
    Option<&'static str>,
);

fn s(v: &str) -> String {
    v.to_owned()
}

fn cases() -> Vec<Case> {
    let ud = "Gov-Client-User-IDs";
    vec![
        (
            "desktop, all correct",
            desktop,
            Change::None,
            "VALID_HEADERS",
            None,
        ),
        (
            "batch, all correct",
            batch,
            Change::None,
            "VALID_HEADERS",
            None,
        ),
        ("web, all correct", web, Change::None, "VALID_HEADERS", None),
        (
            "no headers at all",
            desktop,
            Nothing,
            "INVALID_HEADERS",
            Some("MISSING_HEADER"),
        ),
        // Connection method.
        (
            "method missing",
            desktop,
            Remove("Gov-Client-Connection-Method"),
            "INVALID_HEADERS",
            Some("MISSING_HEADER"),
        ),
        (
            "method unknown",
            desktop,
            Set("Gov-Client-Connection-Method", s("DESKTOP_APP")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "method in lower case",
            desktop,
            Set("Gov-Client-Connection-Method", s("desktop_app_direct")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        // Device ID: constant or made up values.
        (
            "device ID missing",
            desktop,
            Remove("Gov-Client-Device-ID"),
            "INVALID_HEADERS",
            Some("MISSING_HEADER"),
        ),
        (
            "device ID not a UUID",
            desktop,
            Set("Gov-Client-Device-ID", s("device-1234")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "device ID nil UUID",
            desktop,
            Set(
                "Gov-Client-Device-ID",
                s("00000000-0000-0000-0000-000000000000"),
            ),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "device ID copied from the specification",
            desktop,
            Set(
                "Gov-Client-Device-ID",
                s("beec798b-b366-47fa-b1f8-92cede14a1ce"),
            ),
            "POTENTIALLY_INVALID_HEADERS",
            Some("POTENTIALLY_INVALID_HEADER"),
        ),
        (
            "device ID without hyphens",
            desktop,
            Set(
                "Gov-Client-Device-ID",
                s("3f1c2a8e5b7d4e0a9c6f1d2e3f4a5b6c"),
            ),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "device ID literal null",
            desktop,
            Set("Gov-Client-Device-ID", s("null")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        // User IDs.
        (
            "user IDs missing",
            desktop,
            Remove(ud),
            "INVALID_HEADERS",
            Some("MISSING_HEADER"),
        ),
        (
            "desktop user IDs without os",
            desktop,
            Set(ud, s("my-app=alice")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "user IDs os=null",
            desktop,
            Set(ud, s("os=null")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "user IDs os=undefined",
            batch,
            Set(ud, s("os=undefined")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "user IDs not key=value",
            desktop,
            Set(ud, s("alice")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "user IDs whole value percent-encoded",
            desktop,
            Set(ud, s("os%3Dalice")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "user IDs non-ASCII name unencoded",
            desktop,
            Set(ud, s("os=Zo\u{eb}")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "user IDs non-ASCII name encoded",
            desktop,
            Set(ud, s("os=Zo%C3%AB")),
            "VALID_HEADERS",
            None,
        ),
        (
            "web user IDs with os",
            web,
            Set(ud, s("os=alice&my-app=alice")),
            "POTENTIALLY_INVALID_HEADERS",
            Some("POTENTIALLY_INVALID_HEADER"),
        ),
        (
            "web user IDs empty",
            web,
            Set(ud, s("")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        // Timezone.
        (
            "timezone missing",
            desktop,
            Remove("Gov-Client-Timezone"),
            "INVALID_HEADERS",
            Some("MISSING_HEADER"),
        ),
        (
            "timezone bare UTC",
            desktop,
            Set("Gov-Client-Timezone", s("UTC")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "timezone as a zone name",
            desktop,
            Set("Gov-Client-Timezone", s("Europe/London")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "timezone GMT",
            desktop,
            Set("Gov-Client-Timezone", s("GMT+01:00")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "timezone without minutes",
            desktop,
            Set("Gov-Client-Timezone", s("UTC+1")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "timezone not a real offset",
            desktop,
            Set("Gov-Client-Timezone", s("UTC+01:17")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "timezone beyond +14",
            desktop,
            Set("Gov-Client-Timezone", s("UTC+15:00")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "timezone half hour",
            desktop,
            Set("Gov-Client-Timezone", s("UTC-03:30")),
            "VALID_HEADERS",
            None,
        ),
        (
            "timezone percent-encoded",
            desktop,
            Set("Gov-Client-Timezone", s("UTC%2B01%3A00")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        // Local IPs.
        (
            "local IPs loopback",
            desktop,
            Set("Gov-Client-Local-IPs", s("127.0.0.1")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "local IPs IPv6 unencoded",
            desktop,
            Set("Gov-Client-Local-IPs", s("10.1.2.3,fe80::1")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "local IPs empty item",
            desktop,
            Set("Gov-Client-Local-IPs", s("10.1.2.3,")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "local IPs not addresses",
            desktop,
            Set("Gov-Client-Local-IPs", s("my-laptop")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "local IPs commas encoded",
            desktop,
            Set("Gov-Client-Local-IPs", s("10.1.2.3%2C10.1.2.4")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "local IPs left out (none exist)",
            desktop,
            Remove("Gov-Client-Local-IPs"),
            "POTENTIALLY_INVALID_HEADERS",
            Some("POTENTIALLY_INVALID_HEADER"),
        ),
        // Timestamps.
        (
            "timestamp without milliseconds",
            desktop,
            Set("Gov-Client-Local-IPs-Timestamp", s("2026-07-01T11:59:58Z")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "timestamp with two-digit milliseconds",
            desktop,
            Set(
                "Gov-Client-Local-IPs-Timestamp",
                s("2026-07-01T11:59:58.12Z"),
            ),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "timestamp without T",
            desktop,
            Set(
                "Gov-Client-Local-IPs-Timestamp",
                s("2026-07-01 11:59:58.123Z"),
            ),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "timestamp with an offset",
            desktop,
            Set(
                "Gov-Client-Local-IPs-Timestamp",
                s("2026-07-01T12:59:58.123+01:00"),
            ),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "timestamp in the future",
            desktop,
            Set("Gov-Client-Local-IPs-Timestamp", ts(3600)),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "timestamp a day old",
            desktop,
            Set("Gov-Client-Local-IPs-Timestamp", ts(-86_400)),
            "POTENTIALLY_INVALID_HEADERS",
            Some("POTENTIALLY_INVALID_HEADER"),
        ),
        (
            "timestamp slightly ahead",
            desktop,
            Set("Gov-Client-Local-IPs-Timestamp", ts(20)),
            "VALID_HEADERS",
            None,
        ),
        (
            "timestamp impossible date",
            desktop,
            Set(
                "Gov-Client-Local-IPs-Timestamp",
                s("2026-02-30T11:59:58.123Z"),
            ),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        // MAC addresses.
        (
            "MACs unencoded",
            desktop,
            Set("Gov-Client-MAC-Addresses", s("ea:43:1a:5d:21:45")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "MAC all zero",
            desktop,
            Set("Gov-Client-MAC-Addresses", s("00%3A00%3A00%3A00%3A00%3A00")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "MAC too short",
            desktop,
            Set("Gov-Client-MAC-Addresses", s("ea%3A43%3A1a")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "MACs left out (none exist)",
            batch,
            Remove("Gov-Client-MAC-Addresses"),
            "POTENTIALLY_INVALID_HEADERS",
            Some("POTENTIALLY_INVALID_HEADER"),
        ),
        // Multi-factor.
        (
            "multi-factor left out",
            desktop,
            Remove("Gov-Client-Multi-Factor"),
            "POTENTIALLY_INVALID_HEADERS",
            Some("POTENTIALLY_INVALID_HEADER"),
        ),
        (
            "multi-factor empty",
            desktop,
            Set("Gov-Client-Multi-Factor", s("")),
            "POTENTIALLY_INVALID_HEADERS",
            Some("EMPTY_HEADER"),
        ),
        (
            "multi-factor unknown type",
            desktop,
            Set(
                "Gov-Client-Multi-Factor",
                s("type=SMS&timestamp=2026-07-01T11%3A58Z&unique-reference=ab"),
            ),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "multi-factor no reference",
            web,
            Set(
                "Gov-Client-Multi-Factor",
                s("type=TOTP&timestamp=2026-07-01T11%3A58Z"),
            ),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "multi-factor bad timestamp",
            web,
            Set(
                "Gov-Client-Multi-Factor",
                s("type=TOTP&timestamp=yesterday&unique-reference=ab"),
            ),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        // Screens and window.
        (
            "screens left out (no display)",
            desktop,
            Remove("Gov-Client-Screens"),
            "POTENTIALLY_INVALID_HEADERS",
            Some("POTENTIALLY_INVALID_HEADER"),
        ),
        (
            "screens width 0",
            desktop,
            Set(
                "Gov-Client-Screens",
                s("width=0&height=1080&scaling-factor=1&colour-depth=24"),
            ),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "screens no colour depth",
            desktop,
            Set(
                "Gov-Client-Screens",
                s("width=1920&height=1080&scaling-factor=1"),
            ),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "screens empty list item",
            desktop,
            Set(
                "Gov-Client-Screens",
                s("width=1920&height=1080&scaling-factor=1&colour-depth=24,"),
            ),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "window size undefined",
            desktop,
            Set("Gov-Client-Window-Size", s("width=undefined&height=803")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "window size left out",
            desktop,
            Remove("Gov-Client-Window-Size"),
            "POTENTIALLY_INVALID_HEADERS",
            Some("POTENTIALLY_INVALID_HEADER"),
        ),
        // User agent.
        (
            "user agent missing",
            batch,
            Remove("Gov-Client-User-Agent"),
            "INVALID_HEADERS",
            Some("MISSING_HEADER"),
        ),
        (
            "user agent spaces unencoded",
            desktop,
            Set(
                "Gov-Client-User-Agent",
                s("os-family=Linux&os-version=Debian 12"),
            ),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "user agent whole value encoded",
            desktop,
            Set(
                "Gov-Client-User-Agent",
                s("os-family%3DLinux%26os-version%3D12"),
            ),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "user agent without version",
            desktop,
            Set("Gov-Client-User-Agent", s("os-family=Linux")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "user agent without device (OS does not say)",
            desktop,
            Set(
                "Gov-Client-User-Agent",
                s("os-family=Linux&os-version=Debian%2012"),
            ),
            "VALID_HEADERS",
            None,
        ),
        (
            "user agent device unknown",
            desktop,
            Set(
                "Gov-Client-User-Agent",
                s("os-family=Linux&os-version=12&device-model=unknown"),
            ),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        // Vendor headers.
        (
            "vendor version missing",
            desktop,
            Remove("Gov-Vendor-Version"),
            "INVALID_HEADERS",
            Some("MISSING_HEADER"),
        ),
        (
            "vendor version without a version",
            desktop,
            Set("Gov-Vendor-Version", s("mtd=")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "vendor version one part via server",
            web,
            Set("Gov-Vendor-Version", s("my-web=2.2.2")),
            "POTENTIALLY_INVALID_HEADERS",
            Some("POTENTIALLY_INVALID_HEADER"),
        ),
        (
            "product name missing",
            desktop,
            Remove("Gov-Vendor-Product-Name"),
            "INVALID_HEADERS",
            Some("MISSING_HEADER"),
        ),
        (
            "product name unencoded space",
            web,
            Set("Gov-Vendor-Product-Name", s("My Tax App")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "licence IDs left out (open source)",
            desktop,
            Remove("Gov-Vendor-License-IDs"),
            "POTENTIALLY_INVALID_HEADERS",
            Some("POTENTIALLY_INVALID_HEADER"),
        ),
        (
            "licence ID empty hash",
            desktop,
            Set("Gov-Vendor-License-IDs", s("mtd=")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        // Via-server realism.
        (
            "public IP private",
            web,
            Set("Gov-Client-Public-IP", s("192.168.1.20")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "public IP loopback",
            web,
            Set("Gov-Client-Public-IP", s("127.0.0.1")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "public IP changed, forwarded hop not",
            web,
            Set("Gov-Client-Public-IP", s("192.0.2.10")),
            "INVALID_HEADERS",
            Some("INVALID_HEADERS"),
        ),
        (
            "public IP missing",
            web,
            Remove("Gov-Client-Public-IP"),
            "INVALID_HEADERS",
            Some("MISSING_HEADER"),
        ),
        (
            "public port 443",
            web,
            Set("Gov-Client-Public-Port", s("443")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "public port 80",
            web,
            Set("Gov-Client-Public-Port", s("80")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "public port 0",
            web,
            Set("Gov-Client-Public-Port", s("0")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "public port 70000",
            web,
            Set("Gov-Client-Public-Port", s("70000")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "public port missing",
            web,
            Remove("Gov-Client-Public-Port"),
            "INVALID_HEADERS",
            Some("MISSING_HEADER"),
        ),
        (
            "public IP timestamp in the future",
            web,
            Set("Gov-Client-Public-IP-Timestamp", ts(7200)),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "browser user agent missing",
            web,
            Remove("Gov-Client-Browser-JS-User-Agent"),
            "INVALID_HEADERS",
            Some("MISSING_HEADER"),
        ),
        (
            "browser user agent not a browser",
            web,
            Set("Gov-Client-Browser-JS-User-Agent", s("curl/8.0")),
            "POTENTIALLY_INVALID_HEADERS",
            Some("POTENTIALLY_INVALID_HEADER"),
        ),
        (
            "vendor public IP private",
            web,
            Set("Gov-Vendor-Public-IP", s("10.0.0.5")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "forwarded first hop mismatch",
            web,
            Set("Gov-Vendor-Forwarded", s("by=203.0.113.9&for=198.51.100.7")),
            "INVALID_HEADERS",
            Some("INVALID_HEADERS"),
        ),
        (
            "forwarded private hop",
            web,
            Set(
                "Gov-Vendor-Forwarded",
                s("by=203.0.113.6&for=198.51.100.7,by=10.0.0.1&for=203.0.113.6"),
            ),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "forwarded missing",
            web,
            Remove("Gov-Vendor-Forwarded"),
            "INVALID_HEADERS",
            Some("MISSING_HEADER"),
        ),
        (
            "client public IP is the vendor's",
            web,
            Set("Gov-Client-Public-IP", s("203.0.113.6")),
            "INVALID_HEADERS",
            Some("INVALID_HEADERS"),
        ),
        (
            "device ID sent twice",
            desktop,
            Again(
                "Gov-Client-Device-ID",
                s("00000000-0000-0000-0000-000000000000"),
            ),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "connection method sent twice",
            desktop,
            Again("Gov-Client-Connection-Method", s("JUNK")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "local IPs sent twice, one loopback",
            desktop,
            Again("Gov-Client-Local-IPs", s("127.0.0.1")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "local IPs sent twice, both real",
            desktop,
            Again("Gov-Client-Local-IPs", s("10.9.8.7")),
            "VALID_HEADERS",
            None,
        ),
        (
            "user IDs key repeated",
            desktop,
            Set(ud, s("os=alice&os=")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "user IDs os=(null)",
            desktop,
            Set(ud, s("os=%28null%29")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "user IDs os blank",
            desktop,
            Set(ud, s("os=%20%20")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "user IDs os control character",
            desktop,
            Set(ud, s("os=%0D%0A")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "product name blank",
            desktop,
            Set("Gov-Vendor-Product-Name", s("%20")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "timezone HMRC's example UTC-01:15",
            desktop,
            Set("Gov-Client-Timezone", s("UTC-01:15")),
            "VALID_HEADERS",
            None,
        ),
        (
            "timezone +05:45",
            desktop,
            Set("Gov-Client-Timezone", s("UTC+05:45")),
            "VALID_HEADERS",
            None,
        ),
        (
            "timestamp year -999",
            desktop,
            Set(
                "Gov-Client-Local-IPs-Timestamp",
                s("-999-01-01T00:00:00.000Z"),
            ),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "timestamp second 60",
            desktop,
            Set(
                "Gov-Client-Local-IPs-Timestamp",
                s("2026-07-01T11:59:60.000Z"),
            ),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "timestamp HMRC's example, years old",
            desktop,
            Set(
                "Gov-Client-Local-IPs-Timestamp",
                s("2020-09-21T14:30:05.123Z"),
            ),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "local IPs without their timestamp",
            desktop,
            Remove("Gov-Client-Local-IPs-Timestamp"),
            "INVALID_HEADERS",
            Some("INVALID_HEADERS"),
        ),
        (
            "local IPs broadcast",
            desktop,
            Set("Gov-Client-Local-IPs", s("255.255.255.255")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "local IPs mapped loopback",
            desktop,
            Set("Gov-Client-Local-IPs", s("%3A%3Affff%3A127.0.0.1")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "multi-factor in the future",
            web,
            Set(
                "Gov-Client-Multi-Factor",
                s("type=TOTP&timestamp=9999-12-03T13%3A20Z&unique-reference=ab"),
            ),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "multi-factor one-digit hour",
            web,
            Set(
                "Gov-Client-Multi-Factor",
                s("type=TOTP&timestamp=2026-07-01T1%3A2Z&unique-reference=ab"),
            ),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "public port with a plus",
            web,
            Set("Gov-Client-Public-Port", s("+12345")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "public port leading zero",
            web,
            Set("Gov-Client-Public-Port", s("012345")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "vendor public IP benchmarking range",
            web,
            Set("Gov-Vendor-Public-IP", s("198.18.0.1")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "public IP 6to4 of a private address",
            web,
            Set("Gov-Client-Public-IP", s("2002%3Ac0a8%3A101%3A%3A1")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "public IP site-local",
            web,
            Set("Gov-Client-Public-IP", s("fec0%3A%3A1")),
            "INVALID_HEADERS",
            Some("INVALID_HEADER"),
        ),
        (
            "forwarded later hop not from the previous server",
            web,
            Set(
                "Gov-Vendor-Forwarded",
                s("by=203.0.113.6&for=198.51.100.7,by=203.0.113.9&for=8.8.8.8"),
            ),
            "INVALID_HEADERS",
            Some("INVALID_HEADERS"),
        ),
        (
            "IPv6 public IP read, forwarded hop disagrees",
            web,
            Set("Gov-Client-Public-IP", s("2001%3Adb8%3A%3A7")),
            "INVALID_HEADERS",
            Some("INVALID_HEADERS"),
        ),
    ]
}

#[test]
fn header_sets_get_hmrc_codes() {
    let all = cases();
    assert!(all.len() >= 60, "{} cases", all.len());
    for (name, base, change, overall, finding) in all {
        let mut set: Vec<(String, String)> =
            base().into_iter().map(|(n, v)| (n.to_owned(), v)).collect();
        let touched = match &change {
            Set(h, v) => {
                set.iter_mut().find(|(n, _)| n == h).expect(name).1 = v.clone();
                Some(*h)
            }
            Remove(h) => {
                set.retain(|(n, _)| n != h);
                Some(*h)
            }
            Again(h, v) => {
                set.push(((*h).to_owned(), v.clone()));
                Some(*h)
            }
            Nothing => {
                set.clear();
                None
            }
            Change::None => None,
        };
        let report = validate(&set, now());
        assert_eq!(report.code(), overall, "{name}: {report:#?}");
        if let Some(code) = finding {
            let found = report.errors.iter().chain(&report.warnings).any(|f| {
                f.code == code && touched.is_none_or(|t| f.headers.iter().any(|h| h.name() == t))
            });
            assert!(found, "{name}: no {code} for {touched:?} in {report:#?}");
        } else {
            assert!(
                report.errors.is_empty() && report.warnings.is_empty(),
                "{name}: {report:#?}"
            );
        }
    }
}

#[test]
fn header_names_are_matched_case_insensitively() {
    let set: Vec<(String, String)> = desktop()
        .into_iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v))
        .collect();
    assert_eq!(validate(&set, now()).code(), "VALID_HEADERS");
}

#[test]
fn documentation_ranges_count_as_public() {
    let mut set: Vec<(String, String)> =
        web().into_iter().map(|(n, v)| (n.to_owned(), v)).collect();
    for (n, v) in &mut set {
        match n.as_str() {
            "Gov-Client-Public-IP" => *v = "2001%3Adb8%3A%3A7".into(),
            "Gov-Vendor-Public-IP" => *v = "192.0.2.1".into(),
            "Gov-Vendor-Forwarded" => *v = "by=192.0.2.1&for=2001%3Adb8%3A%3A7".into(),
            _ => {}
        }
    }
    let report = validate(&set, now());
    assert_eq!(report.code(), "VALID_HEADERS", "{report:#?}");
}
