//! Settings from the command line and the environment: the runtime's own (`--addr`) and
//! those a site declares with [`settings!`](crate::settings!), each `--name VALUE`,
//! `--name=VALUE` or `RSP_NAME`. The command line is checked whole the first time a
//! setting is read (or when the app starts serving): `--help` lists every setting,
//! `--version` prints the site's version, and a flag nobody declared stops the program
//! with the nearest declared name, so a misspelt `--dta ./x` is never silently ignored.

use std::collections::HashMap;
use std::sync::OnceLock;

/// A declared setting. Made by `rsp::settings!`; not a public API.
#[doc(hidden)]
pub struct SettingInfo {
    pub name: &'static str,
    /// What `--help` shows as the value: `ADDR`, `PATH`, …
    pub value: &'static str,
    pub default: Option<&'static str>,
    pub help: &'static str,
    /// `name version` of the crate that declared it.
    pub package: &'static str,
    /// Given more than once, the values are joined with commas (as the environment
    /// variable holds them); otherwise a second one is refused.
    pub list: bool,
}

inventory::collect!(SettingInfo);

inventory::submit! {
    SettingInfo {
        name: "addr",
        value: "ADDR",
        default: Some("127.0.0.1:8080"),
        help: "The address to listen on (ignored when a socket is handed over in LISTEN_FDS).",
        package: "",
        list: false,
    }
}

inventory::submit! {
    SettingInfo {
        name: "health-path",
        value: "PATH",
        default: Some("/healthz"),
        help: "Where GET answers 200 while the process serves, or `off`.",
        package: "",
        list: false,
    }
}

inventory::submit! {
    SettingInfo {
        name: "ready-path",
        value: "PATH",
        default: Some("/readyz"),
        help: "Where GET answers 200 when ready, 503 once stopping or a check fails; or `off`.",
        package: "",
        list: false,
    }
}

inventory::submit! {
    SettingInfo {
        name: "drain-delay",
        value: "SECONDS",
        default: None,
        help: "How long to go on serving after SIGTERM, /readyz answering 503 (5 in release builds, 0 in debug).",
        package: "",
        list: false,
    }
}

inventory::submit! {
    SettingInfo {
        name: "trusted-proxies",
        value: "LIST",
        default: None,
        help: "Proxies whose Forwarded, X-Forwarded-For and -Proto are believed: addresses and CIDR ranges.",
        package: "",
        list: true,
    }
}

#[cfg(feature = "tls")]
inventory::submit! {
    SettingInfo {
        name: "tls-cert",
        value: "FILE",
        default: None,
        help: "Serve HTTPS with this PEM chain, leaf first (with --tls-key; SIGHUP reads both again).",
        package: "",
        list: false,
    }
}

#[cfg(feature = "tls")]
inventory::submit! {
    SettingInfo {
        name: "tls-key",
        value: "FILE",
        default: None,
        help: "The PEM private key of --tls-cert.",
        package: "",
        list: false,
    }
}

#[cfg(feature = "tls")]
inventory::submit! {
    SettingInfo {
        name: "http-addr",
        value: "ADDR",
        default: None,
        help: "Also listen for plain HTTP here, sending every request to HTTPS (308).",
        package: "",
        list: false,
    }
}

#[cfg(feature = "tls")]
inventory::submit! {
    SettingInfo {
        name: "hsts",
        value: "VALUE",
        default: None,
        help: "Strict-Transport-Security over HTTPS, or `off` (default: a year in release builds).",
        package: "",
        list: false,
    }
}

#[cfg(feature = "acme")]
inventory::submit! {
    SettingInfo {
        name: "acme-domain",
        value: "NAME",
        default: None,
        help: "Serve HTTPS for this domain with a certificate from ACME (repeat the flag, or a comma list).",
        package: "",
        list: true,
    }
}

#[cfg(feature = "acme")]
inventory::submit! {
    SettingInfo {
        name: "acme-email",
        value: "ADDRESS",
        default: None,
        help: "The contact the certificate authority writes to about expiring certificates.",
        package: "",
        list: false,
    }
}

#[cfg(feature = "acme")]
inventory::submit! {
    SettingInfo {
        name: "acme-directory",
        value: "URL",
        default: Some(crate::acme::LETS_ENCRYPT),
        help: "The certificate authority's ACME directory.",
        package: "",
        list: false,
    }
}

#[cfg(feature = "acme")]
inventory::submit! {
    SettingInfo {
        name: "acme-ca",
        value: "FILE",
        default: None,
        help: "A PEM root to trust for the directory's own HTTPS (a private or test CA).",
        package: "",
        list: false,
    }
}

#[cfg(feature = "acme")]
inventory::submit! {
    SettingInfo {
        name: "acme-dir",
        value: "DIR",
        default: Some("./data/acme"),
        help: "Where the ACME account key and the certificates are kept (back it up).",
        package: "",
        list: false,
    }
}

/// Declares the settings a site reads with [`setting`], so that `--help` lists them and
/// the command line is checked against them. Each is a doc comment (its help line), a
/// name (`redis_url` is the flag `--redis-url` and the variable `RSP_REDIS_URL`), the word
/// shown for its value, and optionally a default.
///
/// ```
/// rsp::settings! {
///     /// Where the site keeps its data.
///     data: PATH = "./data";
///     /// An address to send mail through.
///     smtp: ADDR;
/// }
///
/// let data = rsp::setting("data").unwrap(); // "./data" unless given
/// assert_eq!(rsp::setting("smtp"), None);
/// ```
#[macro_export]
macro_rules! settings {
    ($( $(#[doc = $help:literal])* $name:ident : $value:ident $(= $default:literal)? ; )*) => {
        $(
            $crate::__private::inventory::submit! {
                $crate::__private::SettingInfo {
                    name: ::core::stringify!($name),
                    value: ::core::stringify!($value),
                    default: $crate::__settings_default!($($default)?),
                    help: ::core::concat!($($help),*),
                    package: ::core::concat!(
                        ::core::env!("CARGO_PKG_NAME"), " ", ::core::env!("CARGO_PKG_VERSION")
                    ),
                    list: false,
                }
            }
        )*
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __settings_default {
    () => {
        ::core::option::Option::None
    };
    ($default:literal) => {
        ::core::option::Option::Some($default)
    };
}

/// A setting's value: from the command line (`--name value` or `--name=value`), else
/// from the environment (`RSP_NAME`, upper case, `-` as `_`), else its declared default.
///
/// ```
/// rsp::settings! {
///     /// Where the site keeps its data.
///     data: PATH = "./data";
/// }
///
/// // `site --data /var/lib/site` or `RSP_DATA=/var/lib/site site`
/// let data = rsp::setting("data").unwrap();
/// ```
///
/// # Panics
/// If no `settings!` declares `name`: declare it, so that `--help` shows it.
pub fn setting(name: &str) -> Option<String> {
    let flag = name.replace('_', "-");
    let Some(info) = declared().get(flag.as_str()) else {
        panic!("rsp::setting(\"{name}\"): declare it with rsp::settings! so that --help lists it");
    };
    given(&flag).or_else(|| info.default.map(str::to_owned))
}

/// A setting's value only if it was given (on the command line or in the environment),
/// not its default: for a setting that overrides what the app chose in code.
pub(crate) fn given(name: &str) -> Option<String> {
    command_line()
        .get(name)
        .cloned()
        .or_else(|| std::env::var(env_name(name)).ok())
}

/// Checks the command line now: at start, before serving.
pub(crate) fn check() {
    command_line();
}

/// The flag of a declared name: `redis_url` (a Rust identifier) is `--redis-url`.
fn flag_name(name: &'static str) -> &'static str {
    if name.contains('_') {
        // Once per setting, for the life of the program.
        Box::leak(name.replace('_', "-").into_boxed_str())
    } else {
        name
    }
}

fn env_name(name: &str) -> String {
    format!("RSP_{}", name.to_uppercase().replace('-', "_"))
}

fn declared() -> &'static HashMap<&'static str, &'static SettingInfo> {
    static DECLARED: OnceLock<HashMap<&'static str, &'static SettingInfo>> = OnceLock::new();
    DECLARED.get_or_init(|| {
        inventory::iter::<SettingInfo>
            .into_iter()
            .map(|info| (flag_name(info.name), info))
            .collect()
    })
}

/// The values given on the command line, once it was found right; else the program ends
/// here, after the help, the version or what is wrong.
fn command_line() -> &'static HashMap<String, String> {
    static GIVEN: OnceLock<HashMap<String, String>> = OnceLock::new();
    GIVEN.get_or_init(|| {
        let args: Vec<String> = std::env::args().skip(1).collect();
        match parse(&args, declared()) {
            Ok(Parsed::Values(values)) => values,
            Ok(Parsed::Help) => {
                print!("{}", help(declared()));
                std::process::exit(0);
            }
            Ok(Parsed::Version) => {
                println!("{}", package(declared()));
                std::process::exit(0);
            }
            Err(wrong) => {
                eprintln!("{wrong}\n(--help lists the settings)");
                std::process::exit(2);
            }
        }
    })
}

enum Parsed {
    Values(HashMap<String, String>),
    Help,
    Version,
}

fn parse(
    args: &[String],
    declared: &HashMap<&'static str, &'static SettingInfo>,
) -> Result<Parsed, String> {
    let mut values = HashMap::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--help" | "-h" => return Ok(Parsed::Help),
            "--version" | "-V" => return Ok(Parsed::Version),
            _ => {}
        }
        let Some(flag) = arg.strip_prefix("--") else {
            return Err(format!(
                "unexpected argument `{arg}`: settings are `--name value`"
            ));
        };
        let (name, inline) = match flag.split_once('=') {
            Some((name, value)) => (name, Some(value.to_owned())),
            None => (flag, None),
        };
        if !declared.contains_key(name) {
            let nearest = declared
                .keys()
                .map(|known| (distance(name, known), *known))
                .min()
                .filter(|(d, _)| *d <= 2.max(name.len() / 3));
            return Err(match nearest {
                Some((_, known)) => {
                    format!("unknown setting `--{name}`: did you mean `--{known}`?")
                }
                None => format!("unknown setting `--{name}`"),
            });
        }
        let value = match inline {
            Some(value) => value,
            None => args
                .next()
                .cloned()
                .ok_or_else(|| format!("`--{name}` needs a value"))?,
        };
        match values.get_mut(name) {
            None => {
                values.insert(name.to_owned(), value);
            }
            Some(earlier) if declared[name].list => {
                let earlier: &mut String = earlier;
                earlier.push(',');
                earlier.push_str(&value);
            }
            Some(_) => return Err(format!("`--{name}` is given twice")),
        }
    }
    Ok(Parsed::Values(values))
}

/// `name version` of the site: of whichever crate but rsp declared a setting, else of
/// rsp itself.
fn package(declared: &HashMap<&'static str, &'static SettingInfo>) -> String {
    let mut packages: Vec<&str> = declared
        .values()
        .map(|info| info.package)
        .filter(|p| !p.is_empty())
        .collect();
    packages.sort_unstable();
    packages.first().map_or_else(
        || format!("rsp {}", env!("CARGO_PKG_VERSION")),
        |p| (*p).to_owned(),
    )
}

fn help(declared: &HashMap<&'static str, &'static SettingInfo>) -> String {
    let mut settings: Vec<(&str, &SettingInfo)> =
        declared.iter().map(|(name, info)| (*name, *info)).collect();
    settings.sort_by_key(|(name, _)| *name);
    let flags: Vec<String> = settings
        .iter()
        .map(|(name, info)| format!("--{name} {}", info.value))
        .collect();
    let width = flags.iter().map(String::len).max().unwrap_or(0).max(9);
    let mut out = format!(
        "{}\n\nSettings, each also from the environment as shown:\n",
        package(declared)
    );
    for ((name, info), flag) in settings.iter().zip(&flags) {
        let default = info
            .default
            .map(|d| format!("; default {d}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "  {flag:width$}  {} [{}{default}]\n",
            info.help.trim(),
            env_name(name)
        ));
    }
    out.push_str(&format!("  {:width$}  Prints this help.\n", "--help"));
    out.push_str(&format!("  {:width$}  Prints the version.\n", "--version"));
    out
}

/// The Levenshtein distance: how many letters to change, add or remove.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    static DATA: SettingInfo = SettingInfo {
        name: "data",
        value: "PATH",
        default: Some("./data"),
        help: " Where the site keeps its data.",
        package: "site 1.2.3",
        list: false,
    };

    static TAG: SettingInfo = SettingInfo {
        name: "tag",
        value: "NAME",
        default: None,
        help: " Tags, one a flag or a comma list.",
        package: "site 1.2.3",
        list: true,
    };

    fn known() -> HashMap<&'static str, &'static SettingInfo> {
        let mut known = declared().clone();
        known.insert("data", &DATA);
        known.insert("tag", &TAG);
        known
    }

    fn run(args: &[&str]) -> Result<Parsed, String> {
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        parse(&args, &known())
    }

    #[test]
    fn values_come_in_both_forms() {
        let Ok(Parsed::Values(values)) = run(&["--data", "/srv", "--addr=127.0.0.1:1"]) else {
            panic!("parsed");
        };
        assert_eq!(values["data"], "/srv");
        assert_eq!(values["addr"], "127.0.0.1:1");
    }

    #[test]
    fn a_list_gathers_every_value_and_anything_else_is_given_once() {
        let Ok(Parsed::Values(values)) = run(&["--tag", "a", "--tag=b,c", "--tag", "d"]) else {
            panic!("parsed");
        };
        assert_eq!(values["tag"], "a,b,c,d");
        assert_eq!(
            run(&["--data", "/a", "--data", "/b"])
                .err()
                .unwrap_or_default(),
            "`--data` is given twice"
        );
    }

    #[test]
    fn an_identifier_with_underscores_is_a_flag_with_hyphens() {
        static REDIS: SettingInfo = SettingInfo {
            name: "redis_url",
            value: "URL",
            default: None,
            help: " Where the sessions are.",
            package: "site 1.2.3",
            list: false,
        };
        let mut known = known();
        known.insert(flag_name(REDIS.name), &REDIS);
        let args = ["--redis-url".to_owned(), "redis://x/".to_owned()];
        let Ok(Parsed::Values(values)) = parse(&args, &known) else {
            panic!("parsed");
        };
        assert_eq!(values["redis-url"], "redis://x/");
        let help = help(&known);
        assert!(
            help.contains("--redis-url URL ") && help.contains("[RSP_REDIS_URL]"),
            "{help}"
        );
    }

    #[test]
    fn a_misspelt_flag_names_the_nearest() {
        let error = |args: &[&str]| run(args).err().unwrap_or_default();
        assert_eq!(
            error(&["--dta", "./x"]),
            "unknown setting `--dta`: did you mean `--data`?"
        );
        assert_eq!(
            error(&["--adr=x"]),
            "unknown setting `--adr`: did you mean `--addr`?"
        );
        assert_eq!(error(&["--colour", "red"]), "unknown setting `--colour`");
        assert_eq!(error(&["--data"]), "`--data` needs a value");
        assert!(error(&["data"]).starts_with("unexpected argument `data`"));
    }

    #[test]
    fn help_lists_every_setting_with_its_variable_and_default() {
        assert!(matches!(run(&["--data", "x", "--help"]), Ok(Parsed::Help)));
        assert!(matches!(run(&["-V"]), Ok(Parsed::Version)));
        let help = help(&known());
        assert!(help.starts_with("site 1.2.3\n"), "{help}");
        // One line each, the flags padded to one column.
        let line = |flag: &str| {
            help.lines()
                .find(|line| line.trim_start().starts_with(flag))
                .unwrap_or_else(|| panic!("{flag} missing from {help}"))
        };
        let data = line("--data PATH ");
        assert!(
            data.ends_with("  Where the site keeps its data. [RSP_DATA; default ./data]"),
            "{help}"
        );
        let addr = line("--addr ADDR ");
        assert!(addr.contains("  The address to listen on"), "{help}");
        assert_eq!(addr.find("The"), data.find("Where"), "{help}");
        assert!(
            help.contains("[RSP_ADDR; default 127.0.0.1:8080]"),
            "{help}"
        );
    }

    #[test]
    fn distances() {
        assert_eq!(distance("dta", "data"), 1);
        assert_eq!(distance("adr", "addr"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
