//! What the device this process runs on says about itself, read fresh for each request:
//! network addresses, the OS user, the OS and the device, the UTC offset, and screens and window
//! where a display exists. Anything the device does not tell is `None` or empty, never a guess.

use std::net::IpAddr;

/// One display attached to the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screen {
    pub width: u32,
    pub height: u32,
    /// The scaling factor in hundredths (125 is 1.25), kept exact.
    pub scaling_percent: u32,
    pub colour_depth: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowSize {
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MachineFacts {
    /// Addresses of the network interfaces, loopback excluded.
    pub local_ips: Vec<IpAddr>,
    /// MAC addresses of the network interfaces, all-zero ones excluded.
    pub mac_addresses: Vec<[u8; 6]>,
    pub os_user: Option<String>,
    pub os_family: String,
    pub os_version: String,
    pub device_manufacturer: Option<String>,
    pub device_model: Option<String>,
    /// Seconds east of UTC, now.
    pub utc_offset_secs: i32,
    pub screens: Vec<Screen>,
    pub window: Option<WindowSize>,
}

impl MachineFacts {
    /// Reads this device now.
    pub fn collect() -> MachineFacts {
        MachineFacts {
            local_ips: local_ips(),
            mac_addresses: mac_addresses(),
            os_user: os_user(),
            os_family: os_family(),
            os_version: os_version(),
            device_manufacturer: dmi("sys_vendor"),
            device_model: dmi("product_name"),
            utc_offset_secs: chrono::Local::now().offset().local_minus_utc(),
            screens: screens(),
            window: window(),
        }
    }
}

/// Values firmware and libraries use when they have none.
fn real(v: &str) -> bool {
    let v = v.trim().to_ascii_lowercase();
    !(v.is_empty()
        || [
            "unknown",
            "none",
            "default string",
            "to be filled by o.e.m.",
            "system manufacturer",
            "system product name",
            "not specified",
            "not applicable",
        ]
        .contains(&v.as_str()))
}

fn local_ips() -> Vec<IpAddr> {
    let mut ips: Vec<IpAddr> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .map(|i| i.ip())
        .filter(|ip| mtd_domain::fraud_prevention::names_an_interface(*ip))
        .collect();
    ips.sort();
    ips.dedup();
    ips
}

fn mac_addresses() -> Vec<[u8; 6]> {
    let mut macs: Vec<[u8; 6]> = mac_address::MacAddressIterator::new()
        .map(|it| it.map(|m| m.bytes()).collect())
        .unwrap_or_default();
    macs.retain(|m| m.iter().any(|b| *b != 0) && m.iter().any(|b| *b != 0xff));
    macs.sort();
    macs.dedup();
    macs
}

fn os_user() -> Option<String> {
    if let Ok(u) = whoami::fallible::username()
        && real(&u)
    {
        return Some(u);
    }
    // No name for the account: its numeric ID still identifies it.
    #[cfg(unix)]
    {
        Some(rustix::process::getuid().as_raw().to_string())
    }
    #[cfg(not(unix))]
    {
        None
    }
}

fn os_family() -> String {
    match std::env::consts::OS {
        "linux" => "Linux".into(),
        "macos" => "macOS".into(),
        "windows" => "Windows".into(),
        "freebsd" => "FreeBSD".into(),
        other => other.into(),
    }
}

/// The distribution's name and version, or else the kernel's release: every OS says one.
fn os_version() -> String {
    if let Ok(d) = whoami::fallible::distro()
        && real(&d)
    {
        return d;
    }
    #[cfg(unix)]
    {
        rustix::system::uname()
            .release()
            .to_string_lossy()
            .into_owned()
    }
    #[cfg(not(unix))]
    {
        std::env::consts::OS.to_owned()
    }
}

/// The firmware's description of the device (Linux exposes it under `/sys/class/dmi/id`).
fn dmi(field: &str) -> Option<String> {
    std::fs::read_to_string(format!("/sys/class/dmi/id/{field}"))
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| real(s))
}

/// Screens of an X display: sizes from `xrandr`, depth from `xdpyinfo`, scaling from the X
/// resources' DPI (96 is 1). Without a display, or without those tools, none.
fn screens() -> Vec<Screen> {
    if std::env::var_os("DISPLAY").is_none() {
        return Vec::new();
    }
    let run = |cmd: &str, args: &[&str]| {
        std::process::Command::new(cmd)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
    };
    let (Some(xrandr), Some(info)) = (run("xrandr", &["--current"]), run("xdpyinfo", &[])) else {
        return Vec::new();
    };
    let Some(depth) = info
        .lines()
        .find_map(|l| l.trim().strip_prefix("depth of root window:"))
        .and_then(|r| r.split_whitespace().next())
        .and_then(|d| d.parse().ok())
    else {
        return Vec::new();
    };
    let dpi = run("xrdb", &["-query"])
        .and_then(|r| {
            r.lines()
                .find_map(|l| l.strip_prefix("Xft.dpi:"))
                .and_then(|d| d.trim().parse::<u32>().ok())
        })
        // A DPI of nothing, or beyond any screen made, is no reading: X's default then holds.
        .filter(|d| (24..=2400).contains(d))
        .unwrap_or(96);
    xrandr
        .lines()
        .filter(|l| l.contains(" connected"))
        .filter_map(|l| {
            let geometry = l
                .split_whitespace()
                .find(|w| w.contains('x') && w.contains('+'))?;
            let (w, rest) = geometry.split_once('x')?;
            let h = rest.split('+').next()?;
            Some(Screen {
                width: w.parse().ok()?,
                height: h.parse().ok()?,
                scaling_percent: dpi * 100 / 96,
                colour_depth: depth,
            })
        })
        .collect()
}

/// The terminal window's size in pixels, when the terminal reports it.
fn window() -> Option<WindowSize> {
    #[cfg(unix)]
    {
        let size = rustix::termios::tcgetwinsize(std::io::stdout()).ok()?;
        (size.ws_xpixel > 0 && size.ws_ypixel > 0).then_some(WindowSize {
            width: size.ws_xpixel.into(),
            height: size.ws_ypixel.into(),
        })
    }
    #[cfg(not(unix))]
    {
        None
    }
}
