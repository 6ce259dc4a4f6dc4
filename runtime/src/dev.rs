//! The running half of `cargo dev`, in development builds only (a release build has none
//! of it: no source registry, no command reader, no script).
//!
//! The dev tool starts the site with `RSP_DEV_EVENTS` set to the address of its event
//! stream. The site then
//!
//! - reads the dev tool's commands on its standard input: the new text of a page body whose
//!   edit changed only its static text, which the page writes from the next request on
//!   (see `rsp_compiler::skeleton`), acknowledged with a line `rsp-dev: swapped N` on its
//!   standard output; when the tool is gone (the input ends), the site stops too;
//! - adds to every HTML response a small script that listens to the event stream, reloads
//!   the page after each change and shows a build error over it.

use std::io::BufRead;
use std::ops::Deref;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

/// A page body's source, registered by the page compiler in development builds.
pub struct BodySource {
    file: &'static str,
    text: &'static str,
    /// The text slots of the body's latest version, once an edit was swapped in.
    slots: RwLock<Option<Arc<[String]>>>,
}

impl BodySource {
    pub const fn new(file: &'static str, text: &'static str) -> Self {
        Self {
            file,
            text,
            slots: RwLock::new(None),
        }
    }
}

/// An entry of the registry of bodies.
pub struct BodyRef(pub &'static BodySource);

inventory::collect!(BodyRef);

/// Whether any body had its text swapped: until then every write is the compiled text.
static SWAPPED: AtomicBool = AtomicBool::new(false);

/// A text slot as the page writes it: compiled, or swapped in since.
pub enum Slot {
    Compiled(&'static str),
    Swapped(Arc<[String]>, usize),
}

impl Deref for Slot {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Slot::Compiled(text) => text,
            Slot::Swapped(slots, slot) => &slots[*slot],
        }
    }
}

/// The text of slot `slot` of `body`: the swapped-in text if there is one.
pub fn text(body: &BodySource, slot: usize, compiled: &'static str) -> Slot {
    if !SWAPPED.load(Ordering::Acquire) {
        return Slot::Compiled(compiled);
    }
    let slots = body.slots.read().unwrap_or_else(|e| e.into_inner());
    match slots.as_ref() {
        Some(slots) if slot < slots.len() => Slot::Swapped(Arc::clone(slots), slot),
        _ => Slot::Compiled(compiled),
    }
}

/// A command of the dev tool: the compiled and the new text of a body of `file`, one JSON
/// object a line: `{"file": …, "compiled": …, "new": …}`.
struct Swap {
    file: String,
    compiled: String,
    new: String,
}

impl Swap {
    fn parse(line: &str) -> Option<Self> {
        let command: serde_json::Value = serde_json::from_str(line).ok()?;
        let field = |name: &str| Some(command.get(name)?.as_str()?.to_owned());
        Some(Self {
            file: field("file")?,
            compiled: field("compiled")?,
            new: field("new")?,
        })
    }
}

/// Swaps in the new text of every body of `file` compiled from `compiled`; how many.
fn swap(command: &Swap) -> usize {
    let Some(slots) = rsp_compiler::skeleton::text_slots(&command.new) else {
        return 0;
    };
    let slots: Arc<[String]> = slots.into();
    let mut swapped = 0;
    for BodyRef(body) in inventory::iter::<BodyRef> {
        if body.file != command.file || body.text != command.compiled {
            continue;
        }
        let fits = rsp_compiler::skeleton::text_slots(body.text)
            .is_some_and(|compiled| compiled.len() == slots.len());
        if fits {
            *body.slots.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::clone(&slots));
            swapped += 1;
        }
    }
    SWAPPED.store(true, Ordering::Release);
    swapped
}

/// The address of the dev tool's event stream, when the site runs under `cargo dev`.
fn events() -> Option<&'static str> {
    static EVENTS: OnceLock<Option<String>> = OnceLock::new();
    EVENTS
        .get_or_init(|| std::env::var("RSP_DEV_EVENTS").ok())
        .as_deref()
}

/// Under `cargo dev`, starts reading the dev tool's commands.
pub(crate) fn start() {
    if events().is_none() {
        return;
    }
    static STARTED: OnceLock<()> = OnceLock::new();
    STARTED.get_or_init(|| {
        std::thread::spawn(|| {
            for line in std::io::stdin().lock().lines() {
                let Ok(line) = line else { break };
                match Swap::parse(&line) {
                    Some(command) => println!("rsp-dev: swapped {}", swap(&command)),
                    None => eprintln!("rsp-dev: unreadable command: {line}"),
                }
            }
            // The dev tool is gone (its end of the pipe closed): so is the reason to run.
            eprintln!("rsp-dev: the dev tool stopped; stopping too");
            std::process::exit(0);
        });
    });
}

/// The script added to HTML responses under `cargo dev`: it reloads the page when the dev
/// tool says so, and shows a build error over the page until the next good build.
pub(crate) fn reload_script(nonce: &crate::csp::Nonce) -> Option<String> {
    events().map(|events| script(events, nonce.get()))
}

fn script(events: &str, nonce: &str) -> String {
    let url = serde_json::to_string(events).unwrap_or_default();
    format!(
        "\n<script nonce=\"{nonce}\">(() => {{\n  const events = new EventSource({url});\n  \
         events.addEventListener(\"reload\", () => location.reload());\n  \
         events.addEventListener(\"failed\", (event) => {{\n    \
         let box = document.getElementById(\"rsp-dev-error\");\n    \
         if (!box) {{\n      box = document.createElement(\"pre\");\n      \
         box.id = \"rsp-dev-error\";\n      \
         box.style.cssText = \"position:fixed;inset:0;margin:0;padding:2em;overflow:auto;\
         z-index:2147483647;background:#fff;color:#a00;font:14px/1.4 monospace;\
         white-space:pre-wrap\";\n      document.body.append(box);\n    }}\n    \
         box.textContent = JSON.parse(event.data);\n  }});\n}})();</script>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    static BODY: BodySource = BodySource::new("src/pages/x.rs", "<h1>Hi</h1><%= name %>!");

    #[test]
    fn a_swap_replaces_the_text_of_matching_bodies_only() {
        assert_eq!(&*text(&BODY, 0, "<h1>Hi</h1>"), "<h1>Hi</h1>");
        let command = Swap {
            file: "src/pages/x.rs".into(),
            compiled: "<h1>Hi</h1><%= name %>!".into(),
            new: "<h1>Hello</h1>\n<%= name %>?".into(),
        };
        // Not registered through inventory here: swap the static directly.
        let slots: Arc<[String]> = rsp_compiler::skeleton::text_slots(&command.new)
            .unwrap()
            .into();
        *BODY.slots.write().unwrap() = Some(slots);
        SWAPPED.store(true, Ordering::Release);
        assert_eq!(&*text(&BODY, 0, "<h1>Hi</h1>"), "<h1>Hello</h1>\n");
        assert_eq!(&*text(&BODY, 1, "!"), "?");
        assert_eq!(
            swap(&Swap {
                file: "other.rs".into(),
                ..command
            }),
            0
        );
    }

    #[test]
    fn the_script_listens_to_the_events() {
        let script = script("http://127.0.0.1:9/events", "abc");
        assert!(script.starts_with("\n<script nonce=\"abc\">"));
        assert!(script.contains(r#"new EventSource("http://127.0.0.1:9/events")"#));
        assert!(script.contains("location.reload()"));
    }
}
