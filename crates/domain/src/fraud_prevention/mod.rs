//! HMRC's fraud prevention headers, specification 3.3 (`platform.md` §8): the connection
//! methods, the headers each must send, and the header encoding. The client builds headers with
//! this and the local HMRC judges them with it, so both read the specification the same way.

mod encoding;

pub use encoding::{
    EncodingError, decode, encode, encode_key_values, encode_list, encode_non_ascii,
    parse_key_values, parse_list, timestamp,
};

use std::fmt;

/// How the software connects to HMRC (`Gov-Client-Connection-Method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionMethod {
    DesktopAppDirect,
    DesktopAppViaServer,
    MobileAppDirect,
    MobileAppViaServer,
    WebAppViaServer,
    BatchProcessDirect,
    OtherDirect,
    OtherViaServer,
}

impl ConnectionMethod {
    pub const ALL: [ConnectionMethod; 8] = [
        Self::DesktopAppDirect,
        Self::DesktopAppViaServer,
        Self::MobileAppDirect,
        Self::MobileAppViaServer,
        Self::WebAppViaServer,
        Self::BatchProcessDirect,
        Self::OtherDirect,
        Self::OtherViaServer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::DesktopAppDirect => "DESKTOP_APP_DIRECT",
            Self::DesktopAppViaServer => "DESKTOP_APP_VIA_SERVER",
            Self::MobileAppDirect => "MOBILE_APP_DIRECT",
            Self::MobileAppViaServer => "MOBILE_APP_VIA_SERVER",
            Self::WebAppViaServer => "WEB_APP_VIA_SERVER",
            Self::BatchProcessDirect => "BATCH_PROCESS_DIRECT",
            Self::OtherDirect => "OTHER_DIRECT",
            Self::OtherViaServer => "OTHER_VIA_SERVER",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Whether requests pass through the vendor's own servers on their way to HMRC.
    pub fn via_server(self) -> bool {
        matches!(
            self,
            Self::DesktopAppViaServer
                | Self::MobileAppViaServer
                | Self::WebAppViaServer
                | Self::OtherViaServer
        )
    }
}

impl fmt::Display for ConnectionMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One fraud prevention header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Header {
    ConnectionMethod,
    DeviceId,
    UserIds,
    Timezone,
    LocalIps,
    LocalIpsTimestamp,
    MacAddresses,
    MultiFactor,
    PublicIp,
    PublicIpTimestamp,
    PublicPort,
    Screens,
    WindowSize,
    UserAgent,
    BrowserJsUserAgent,
    VendorVersion,
    VendorProductName,
    VendorLicenseIds,
    VendorPublicIp,
    VendorForwarded,
}

use ConnectionMethod as M;

impl Header {
    pub const ALL: [Header; 20] = [
        Header::ConnectionMethod,
        Header::DeviceId,
        Header::UserIds,
        Header::Timezone,
        Header::LocalIps,
        Header::LocalIpsTimestamp,
        Header::MacAddresses,
        Header::MultiFactor,
        Header::PublicIp,
        Header::PublicIpTimestamp,
        Header::PublicPort,
        Header::Screens,
        Header::WindowSize,
        Header::UserAgent,
        Header::BrowserJsUserAgent,
        Header::VendorVersion,
        Header::VendorProductName,
        Header::VendorLicenseIds,
        Header::VendorPublicIp,
        Header::VendorForwarded,
    ];

    /// The header's name as the specification writes it.
    pub fn name(self) -> &'static str {
        match self {
            Header::ConnectionMethod => "Gov-Client-Connection-Method",
            Header::DeviceId => "Gov-Client-Device-ID",
            Header::UserIds => "Gov-Client-User-IDs",
            Header::Timezone => "Gov-Client-Timezone",
            Header::LocalIps => "Gov-Client-Local-IPs",
            Header::LocalIpsTimestamp => "Gov-Client-Local-IPs-Timestamp",
            Header::MacAddresses => "Gov-Client-MAC-Addresses",
            Header::MultiFactor => "Gov-Client-Multi-Factor",
            Header::PublicIp => "Gov-Client-Public-IP",
            Header::PublicIpTimestamp => "Gov-Client-Public-IP-Timestamp",
            Header::PublicPort => "Gov-Client-Public-Port",
            Header::Screens => "Gov-Client-Screens",
            Header::WindowSize => "Gov-Client-Window-Size",
            Header::UserAgent => "Gov-Client-User-Agent",
            Header::BrowserJsUserAgent => "Gov-Client-Browser-JS-User-Agent",
            Header::VendorVersion => "Gov-Vendor-Version",
            Header::VendorProductName => "Gov-Vendor-Product-Name",
            Header::VendorLicenseIds => "Gov-Vendor-License-IDs",
            Header::VendorPublicIp => "Gov-Vendor-Public-IP",
            Header::VendorForwarded => "Gov-Vendor-Forwarded",
        }
    }

    /// The name in lower case, as HTTP/2 carries it and HMRC's validator reports it.
    pub fn lower(self) -> String {
        self.name().to_ascii_lowercase()
    }

    /// Whether `method` must send this header (`platform.md` §8.4).
    pub fn required_for(self, method: ConnectionMethod) -> bool {
        match self {
            Header::ConnectionMethod
            | Header::DeviceId
            | Header::UserIds
            | Header::Timezone
            | Header::VendorVersion
            | Header::VendorProductName
            | Header::VendorLicenseIds => true,
            Header::LocalIps | Header::LocalIpsTimestamp | Header::UserAgent => {
                method != M::WebAppViaServer
            }
            Header::MacAddresses => !matches!(
                method,
                M::MobileAppDirect | M::MobileAppViaServer | M::WebAppViaServer
            ),
            Header::MultiFactor => method != M::BatchProcessDirect,
            Header::PublicIp
            | Header::PublicIpTimestamp
            | Header::PublicPort
            | Header::VendorPublicIp
            | Header::VendorForwarded => method.via_server(),
            Header::Screens | Header::WindowSize => matches!(
                method,
                M::DesktopAppDirect
                    | M::DesktopAppViaServer
                    | M::MobileAppDirect
                    | M::MobileAppViaServer
                    | M::WebAppViaServer
            ),
            Header::BrowserJsUserAgent => method == M::WebAppViaServer,
        }
    }

    /// Headers the specification lets software leave out where the data does not exist, once
    /// HMRC has agreed: multi-factor authentication (software without a sign-in of its own),
    /// licence keys (software without licences), screens and window (no display), and the local
    /// network's addresses (a device with no network interface but loopback).
    pub fn may_be_left_out(self) -> bool {
        matches!(
            self,
            Header::MultiFactor
                | Header::VendorLicenseIds
                | Header::Screens
                | Header::WindowSize
                | Header::MacAddresses
                | Header::LocalIps
                | Header::LocalIpsTimestamp
        )
    }

    /// The headers `method` must send.
    pub fn required(method: ConnectionMethod) -> impl Iterator<Item = Header> {
        Header::ALL
            .into_iter()
            .filter(move |h| h.required_for(method))
    }

    pub fn from_name(name: &str) -> Option<Header> {
        Header::ALL
            .into_iter()
            .find(|h| h.name().eq_ignore_ascii_case(name))
    }
}

/// The specification version both sides follow.
pub const SPEC_VERSION: &str = "3.3";

/// Whether an address can be a network interface's, as `Gov-Client-Local-IPs` lists them:
/// not loopback (IPv4-mapped too), unspecified, broadcast or multicast.
pub fn names_an_interface(ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || matches!(ip, IpAddr::V4(v4) if v4.is_broadcast()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_counts_match_the_specification() {
        let count = |m| Header::required(m).count();
        assert_eq!(count(M::DesktopAppDirect), 14);
        assert_eq!(count(M::DesktopAppViaServer), 19);
        assert_eq!(count(M::MobileAppDirect), 13);
        assert_eq!(count(M::MobileAppViaServer), 18);
        assert_eq!(count(M::WebAppViaServer), 16);
        assert_eq!(count(M::BatchProcessDirect), 11);
        assert_eq!(count(M::OtherDirect), 12);
        assert_eq!(count(M::OtherViaServer), 17);
    }

    #[test]
    fn names_round_trip() {
        for h in Header::ALL {
            assert_eq!(Header::from_name(&h.lower()), Some(h));
        }
        for m in ConnectionMethod::ALL {
            assert_eq!(ConnectionMethod::parse(m.as_str()), Some(m));
        }
    }
}
