//! Fraud prevention headers, the software's side (specification 3.3, `platform.md` §8): exactly
//! the headers the connection method requires, each value read from the real device at the
//! moment of the request (or, for a web app, from what its server saw of the browser), encoded
//! as the specification says. Data that does not exist is left out, never faked, and the reason
//! is kept so `mtd fraud-headers show` can tell the vendor what to agree with HMRC.

mod device_id;
pub mod machine;

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use mtd_domain::fraud_prevention::{
    ConnectionMethod, Header, encode, encode_key_values, encode_list, encode_non_ascii, timestamp,
};
use uuid::Uuid;

pub use device_id::load_or_create as device_id;
pub use machine::{MachineFacts, Screen, WindowSize};

/// The software's own facts: its name, the version of each part, its licences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vendor {
    pub product_name: String,
    /// `(software name, version)` for each part that handles the request.
    pub versions: Vec<(String, String)>,
    /// `(software name, hashed licence key)`; empty for software without licences.
    pub license_ids: Vec<(String, String)>,
}

impl Vendor {
    /// This project: open source, so without licence keys.
    pub fn mtd() -> Vendor {
        Vendor {
            product_name: "mtd".into(),
            versions: vec![("mtd".into(), env!("CARGO_PKG_VERSION").into())],
            license_ids: vec![],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactorType {
    Totp,
    AuthCode,
    Other,
}

/// One factor of the user's sign-in to the software (not to HMRC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Factor {
    pub kind: FactorType,
    pub at: DateTime<Utc>,
    /// A salted hash that identifies the factor, never the secret itself.
    pub unique_reference: String,
}

/// What a web app's server saw of the browser request it acts on, for `WEB_APP_VIA_SERVER`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebOrigin {
    pub client_public_ip: IpAddr,
    pub client_public_port: u16,
    pub public_ip_seen_at: DateTime<Utc>,
    /// The browser's device ID, kept in a long-lived cookie.
    pub device_id: Uuid,
    /// `(account, identifier)` in the web app, e.g. `("my-app", "alice@example.com")`.
    pub user_ids: Vec<(String, String)>,
    /// The browser's UTC offset in minutes east.
    pub utc_offset_minutes: i32,
    pub browser_js_user_agent: String,
    pub screens: Vec<Screen>,
    pub window: Option<WindowSize>,
    pub multi_factor: Vec<Factor>,
    /// The public IP the browser connects to (load balancer, WAF).
    pub vendor_public_ip: IpAddr,
    /// Each hop that terminates TLS: `(by, for)`, the first `(vendor_public_ip, client_public_ip)`.
    pub forwarded: Vec<(IpAddr, IpAddr)>,
}

/// Where the client-side facts come from.
#[derive(Debug, Clone)]
pub enum Origin {
    Machine(MachineFacts),
    Web(WebOrigin),
}

/// The headers for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headers {
    pub method: ConnectionMethod,
    pub sent: Vec<(Header, String)>,
    /// Required headers left out because the data does not exist, with why.
    pub left_out: Vec<(Header, String)>,
}

/// `UTC±hh:mm`, to the nearest minute.
pub fn utc_offset(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let minutes = (secs.unsigned_abs() + 30) / 60;
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

fn scaling(percent: u32) -> String {
    let (whole, frac) = (percent / 100, percent % 100);
    match frac {
        0 => whole.to_string(),
        f if f % 10 == 0 => format!("{whole}.{}", f / 10),
        f => format!("{whole}.{f:02}"),
    }
}

fn mac(m: &[u8; 6]) -> String {
    m.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn screens(list: &[Screen]) -> Option<String> {
    let groups: Vec<String> = list
        .iter()
        .map(|s| {
            encode_key_values(&[
                ("width", s.width.to_string()),
                ("height", s.height.to_string()),
                ("scaling-factor", scaling(s.scaling_percent)),
                ("colour-depth", s.colour_depth.to_string()),
            ])
        })
        .collect();
    (!groups.is_empty()).then(|| groups.join(","))
}

fn window(w: Option<WindowSize>) -> Option<String> {
    w.map(|w| {
        encode_key_values(&[
            ("width", w.width.to_string()),
            ("height", w.height.to_string()),
        ])
    })
}

/// The value of `h`, or why there is none.
fn value(
    h: Header,
    method: ConnectionMethod,
    origin: &Origin,
    vendor: &Vendor,
    device: Uuid,
    now: DateTime<Utc>,
) -> Result<String, String> {
    let machine = match origin {
        Origin::Machine(m) => Some(m),
        Origin::Web(_) => None,
    };
    let web = match origin {
        Origin::Web(w) => Some(w),
        Origin::Machine(_) => None,
    };
    let not_known = || Err("this software does not know it for this connection method".to_owned());
    match h {
        Header::ConnectionMethod => Ok(method.as_str().into()),
        Header::DeviceId => Ok(web.map_or(device, |w| w.device_id).to_string()),
        Header::UserIds => match (machine, web) {
            (Some(m), _) => m
                .os_user
                .as_ref()
                .map(|u| encode_key_values(&[("os", u)]))
                .ok_or_else(|| "the operating system does not name the signed-in user".into()),
            (_, Some(w)) if !w.user_ids.is_empty() => Ok(encode_key_values(&w.user_ids)),
            _ => Err("the web app gave no user identifier".into()),
        },
        Header::Timezone => Ok(match (machine, web) {
            (Some(m), _) => utc_offset(m.utc_offset_secs),
            (_, Some(w)) => utc_offset(w.utc_offset_minutes * 60),
            _ => unreachable!("an origin is a machine or a web request"),
        }),
        Header::LocalIps => match machine {
            Some(m) if !m.local_ips.is_empty() => Ok(encode_list(
                &m.local_ips.iter().map(IpAddr::to_string).collect::<Vec<_>>(),
            )),
            Some(_) => Err("the device has no network address other than loopback".into()),
            None => not_known(),
        },
        Header::LocalIpsTimestamp => match machine {
            Some(m) if !m.local_ips.is_empty() => Ok(timestamp(now)),
            Some(_) => Err("no local addresses were collected".into()),
            None => not_known(),
        },
        Header::MacAddresses => match machine {
            Some(m) if !m.mac_addresses.is_empty() => Ok(encode_list(
                &m.mac_addresses.iter().map(mac).collect::<Vec<_>>(),
            )),
            Some(_) => Err("the device has no network interface with a MAC address".into()),
            None => not_known(),
        },
        Header::MultiFactor => match web {
            Some(w) if !w.multi_factor.is_empty() => Ok(w
                .multi_factor
                .iter()
                .map(|f| {
                    let kind = match f.kind {
                        FactorType::Totp => "TOTP",
                        FactorType::AuthCode => "AUTH_CODE",
                        FactorType::Other => "OTHER",
                    };
                    encode_key_values(&[
                        ("type", kind.to_owned()),
                        ("timestamp", f.at.format("%Y-%m-%dT%H:%MZ").to_string()),
                        ("unique-reference", f.unique_reference.clone()),
                    ])
                })
                .collect::<Vec<_>>()
                .join(",")),
            Some(_) => Err("the user signed in to the web app without a second factor".into()),
            None => Err(
                "mtd has no sign-in of its own (HMRC's sign-in is not the software's), so there is no multi-factor authentication to describe"
                    .into(),
            ),
        },
        Header::PublicIp => web
            .map(|w| encode(&w.client_public_ip.to_string()))
            .map_or_else(not_known, Ok),
        Header::PublicIpTimestamp => web
            .map(|w| timestamp(w.public_ip_seen_at))
            .map_or_else(not_known, Ok),
        Header::PublicPort => web
            .map(|w| w.client_public_port.to_string())
            .map_or_else(not_known, Ok),
        Header::Screens => {
            let list = machine.map_or_else(|| web.map(|w| &w.screens[..]).unwrap_or(&[]), |m| &m.screens[..]);
            screens(list).ok_or_else(|| "no display was found to describe".into())
        }
        Header::WindowSize => window(machine.map_or_else(|| web.and_then(|w| w.window), |m| m.window))
            .ok_or_else(|| "the window's size in pixels is not reported (a terminal without pixel sizes, or no display)".into()),
        Header::UserAgent => match machine {
            Some(m) => {
                let mut pairs = vec![
                    ("os-family", m.os_family.clone()),
                    ("os-version", m.os_version.clone()),
                ];
                let optional = [
                    ("device-manufacturer", &m.device_manufacturer),
                    ("device-model", &m.device_model),
                ];
                pairs.extend(optional.into_iter().filter_map(|(k, v)| v.clone().map(|v| (k, v))));
                Ok(encode_key_values(&pairs))
            }
            None => not_known(),
        },
        Header::BrowserJsUserAgent => web
            .map(|w| encode_non_ascii(&w.browser_js_user_agent))
            .map_or_else(not_known, Ok),
        Header::VendorVersion => Ok(encode_key_values(&vendor.versions)),
        Header::VendorProductName => Ok(encode(&vendor.product_name)),
        Header::VendorLicenseIds if vendor.license_ids.is_empty() => {
            Err("the software is open source and has no licence keys".into())
        }
        Header::VendorLicenseIds => Ok(encode_key_values(&vendor.license_ids)),
        Header::VendorPublicIp => web
            .map(|w| encode(&w.vendor_public_ip.to_string()))
            .map_or_else(not_known, Ok),
        Header::VendorForwarded => web
            .filter(|w| !w.forwarded.is_empty())
            .map(|w| {
                w.forwarded
                    .iter()
                    .map(|(by, f)| encode_key_values(&[("by", by.to_string()), ("for", f.to_string())]))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .map_or_else(not_known, Ok),
    }
}

/// The headers `method` requires, from `origin`, at `now`.
pub fn build(
    method: ConnectionMethod,
    origin: &Origin,
    vendor: &Vendor,
    device: Uuid,
    now: DateTime<Utc>,
) -> Headers {
    let mut out = Headers {
        method,
        sent: vec![],
        left_out: vec![],
    };
    for h in Header::required(method) {
        match value(h, method, origin, vendor, device, now) {
            Ok(v) => out.sent.push((h, v)),
            Err(why) => out.left_out.push((h, why)),
        }
    }
    out
}

/// How a [`crate::Client`] fills in the headers on each MTD request.
#[derive(Debug, Clone)]
pub struct FraudPrevention {
    pub method: ConnectionMethod,
    pub device_id: Uuid,
    pub vendor: Vendor,
    /// For a web app, what its server saw of the browser; otherwise this device is read.
    pub web: Option<WebOrigin>,
}

impl FraudPrevention {
    /// Software on this device calling HMRC directly (`DESKTOP_APP_DIRECT`, `BATCH_PROCESS_DIRECT`).
    pub fn direct(method: ConnectionMethod, device_id: Uuid, vendor: Vendor) -> Self {
        Self {
            method,
            device_id,
            vendor,
            web: None,
        }
    }

    /// A web app's server calling HMRC for one browser request (`WEB_APP_VIA_SERVER`).
    pub fn web(origin: WebOrigin, vendor: Vendor) -> Self {
        Self {
            method: ConnectionMethod::WebAppViaServer,
            device_id: origin.device_id,
            vendor,
            web: Some(origin),
        }
    }

    /// The headers for a request about to be sent.
    pub fn headers_now(&self) -> Headers {
        let origin = match &self.web {
            Some(w) => Origin::Web(w.clone()),
            None => Origin::Machine(MachineFacts::collect()),
        };
        build(
            self.method,
            &origin,
            &self.vendor,
            self.device_id,
            Utc::now(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn laptop() -> MachineFacts {
        MachineFacts {
            local_ips: vec!["10.1.2.3".parse().unwrap(), "fe80::1c2d".parse().unwrap()],
            mac_addresses: vec![[0xea, 0x43, 0x1a, 0x5d, 0x21, 0x45]],
            os_user: Some("Zoë".into()),
            os_family: "Linux".into(),
            os_version: "Debian GNU/Linux 12 (bookworm)".into(),
            device_manufacturer: Some("Dell Inc.".into()),
            device_model: None,
            utc_offset_secs: 3600,
            screens: vec![],
            window: None,
        }
    }

    #[test]
    fn desktop_headers_from_a_laptop() {
        let now = "2026-07-01T12:00:00.5Z".parse().unwrap();
        let id = Uuid::parse_str("3f1c2a8e-5b7d-4e0a-9c6f-1d2e3f4a5b6c").unwrap();
        let h = build(
            ConnectionMethod::DesktopAppDirect,
            &Origin::Machine(laptop()),
            &Vendor::mtd(),
            id,
            now,
        );
        let get = |name: Header| {
            h.sent
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get(Header::UserIds), Some("os=Zo%C3%AB"));
        assert_eq!(get(Header::Timezone), Some("UTC+01:00"));
        assert_eq!(get(Header::LocalIps), Some("10.1.2.3,fe80%3A%3A1c2d"));
        assert_eq!(
            get(Header::LocalIpsTimestamp),
            Some("2026-07-01T12:00:00.500Z")
        );
        assert_eq!(
            get(Header::MacAddresses),
            Some("ea%3A43%3A1a%3A5d%3A21%3A45")
        );
        assert_eq!(
            get(Header::UserAgent),
            Some(
                "os-family=Linux&os-version=Debian%20GNU%2FLinux%2012%20%28bookworm%29&device-manufacturer=Dell%20Inc."
            )
        );
        let left: Vec<Header> = h.left_out.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            left,
            [
                Header::MultiFactor,
                Header::Screens,
                Header::WindowSize,
                Header::VendorLicenseIds
            ]
        );
        assert_eq!(h.sent.len() + h.left_out.len(), 14);
    }

    #[test]
    fn offsets_and_scaling() {
        assert_eq!(utc_offset(0), "UTC+00:00");
        assert_eq!(utc_offset(19_800), "UTC+05:30");
        assert_eq!(utc_offset(-34_200), "UTC-09:30");
        assert_eq!(utc_offset(20_700), "UTC+05:45");
        assert_eq!(scaling(100), "1");
        assert_eq!(scaling(125), "1.25");
        assert_eq!(scaling(150), "1.5");
    }
}
