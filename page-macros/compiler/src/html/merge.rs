//! Joining branches: the state after a `{ … }` block of code that spans static text.

use super::css::Css;
use super::js::{JsState, Last};
use super::state::{Body, Lang, State, Tag, TagPos, Value};
use super::url::Url;

/// The state after a block that started in `start` and ended in `end`, if the two
/// agree (see the module documentation for the tolerated differences).
pub(super) fn merge(start: &State, end: &State) -> Option<State> {
    // A value's captured text never makes branches disagree: join it first.
    let (mut start_c, mut end_c) = (start.clone(), end.clone());
    if let (Some(a), Some(b)) = (capture(&mut start_c), capture(&mut end_c)) {
        let joined = join_capture(a.clone(), b.clone());
        (*a, *b) = (joined.clone(), joined);
    }
    let (start, end) = (&start_c, &end_c);
    let mut merged = if start == end {
        end.clone()
    } else {
        join_part(start, end, tag_pos, join_pos)
            .or_else(|| join_part(start, end, js_last, join_last))
            .or_else(|| join_part(start, end, css_word, join_word))
            .or_else(|| join_part(start, end, url, join_url))?
    };
    if let (Some(a), Some(b), Some(m)) = (tag(start), tag(end), tag_mut(&mut merged)) {
        m.attrs = join_attrs(&a.attrs, &b.attrs);
    }
    Some(merged)
}

fn tag(state: &State) -> Option<&Tag> {
    match state {
        State::InTag(tag, _) | State::TagName(tag) => Some(tag),
        _ => None,
    }
}

fn tag_mut(state: &mut State) -> Option<&mut Tag> {
    match state {
        State::InTag(tag, _) | State::TagName(tag) => Some(tag),
        _ => None,
    }
}

/// An attribute set in only some branches, or to different values, is as good as
/// computed: its constraint is not known.
fn join_attrs(
    a: &[(String, Option<String>)],
    b: &[(String, Option<String>)],
) -> Vec<(String, Option<String>)> {
    let mut joined: Vec<(String, Option<String>)> = a
        .iter()
        .map(|(name, value)| {
            let same = b.iter().any(|(n, v)| n == name && v == value);
            (name.clone(), value.clone().filter(|_| same))
        })
        .collect();
    for (name, _) in b {
        if !joined.iter().any(|(n, _)| n == name) {
            joined.push((name.clone(), None));
        }
    }
    joined
}

/// Joins `a` and `b` if they differ only in the part that `part` selects.
fn join_part<T: Clone>(
    a: &State,
    b: &State,
    part: fn(&mut State) -> Option<&mut T>,
    join: fn(T, T) -> Option<T>,
) -> Option<State> {
    let (mut a, mut b) = (a.clone(), b.clone());
    let joined = join(part(&mut a)?.clone(), part(&mut b)?.clone())?;
    *part(&mut a)? = joined.clone();
    *part(&mut b)? = joined;
    (a == b).then_some(b)
}

fn tag_pos(state: &mut State) -> Option<&mut TagPos> {
    match state {
        State::InTag(_, pos) => Some(pos),
        _ => None,
    }
}

fn attr(state: &mut State) -> Option<&mut Value> {
    match tag_pos(state)? {
        TagPos::Value(value) => Some(value),
        _ => None,
    }
}

fn js_last(state: &mut State) -> Option<&mut Last> {
    let js = match state {
        State::Raw(_, Body::Js(js)) => js,
        _ => match &mut attr(state)?.lang {
            Lang::Js(js) => js,
            _ => return None,
        },
    };
    match &mut js.state {
        JsState::Expr(last) => Some(last),
        _ => None,
    }
}

fn css_word(state: &mut State) -> Option<&mut String> {
    let css = match state {
        State::Raw(_, Body::Css(css)) => css,
        _ => match &mut attr(state)?.lang {
            Lang::Css(css) => css,
            _ => return None,
        },
    };
    match css {
        Css::Value { word } => Some(word),
        _ => None,
    }
}

fn url(state: &mut State) -> Option<&mut Url> {
    match &mut attr(state)?.lang {
        Lang::Url(url) => Some(url),
        _ => None,
    }
}

fn capture(state: &mut State) -> Option<&mut Option<String>> {
    Some(&mut attr(state)?.capture)
}

fn join_pos(a: TagPos, b: TagPos) -> Option<TagPos> {
    if a == b {
        return Some(b);
    }
    let spaced = |pos: &TagPos| match pos {
        TagPos::Attrs | TagPos::AfterName(_) => Some(true),
        TagPos::AttrName(_) => Some(false),
        TagPos::BranchName { spaced } => Some(*spaced),
        _ => None,
    };
    Some(TagPos::BranchName {
        spaced: spaced(&a)? && spaced(&b)?,
    })
}

fn join_last(a: Last, b: Last) -> Option<Last> {
    let (a, b) = (a.settled(), b.settled());
    Some(if a == b { b } else { Last::Unknown })
}

/// A word read in only some branches may be `url`: assume it is, so that values in
/// an unquoted `(…)` after it are refused.
fn join_word(a: String, b: String) -> Option<String> {
    Some(if a == b { b } else { "url".to_owned() })
}

fn join_url(a: Url, b: Url) -> Option<Url> {
    match (a, b) {
        (a, b) if a == b => Some(b),
        (
            Url::Start | Url::Rest | Url::Ambiguous | Url::AfterValue,
            Url::Start | Url::Rest | Url::Ambiguous | Url::AfterValue,
        ) => Some(Url::Ambiguous),
        _ => None,
    }
}

/// A captured value that differs between branches is as good as computed.
fn join_capture(a: Option<String>, b: Option<String>) -> Option<String> {
    if a == b {
        b
    } else {
        None
    }
}
