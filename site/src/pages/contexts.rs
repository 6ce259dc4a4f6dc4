use rsp::prelude::*;
use serde::Deserialize;

#[derive(Deserialize)]
struct Query {
    #[serde(default)]
    v: String,
}

// One value, written in every place a page can hold one: each gets its own escaper. The
// strict Content-Security-Policy is off here, so that the escaping alone is what keeps the
// value from running (and the inline `onclick` may run at all).
page! {
    GET "/contexts" => contexts;
    csp: off;
    layout: crate::layout::main;
    title: format!("Contexts: {v}");
    head: html!(r#"<style>.swatch { color: <%= v %>; }</style>"#);
    let Query { v } = req.query()?;
    r#"
<form><label>Value <input name="v" value="<%= v %>" size="60"></label> <button>Show</button></form>
<p>The page title above holds it too (RCDATA).</p>
<table class="contexts">
<tr><th>HTML text</th><td id="text"><%= v %></td></tr>
<tr><th>textarea</th><td><textarea id="textarea"><%= v %></textarea></td></tr>
<tr><th>attribute, double-quoted</th><td><input id="attr-dq" value="<%= v %>"></td></tr>
<tr><th>attribute, single-quoted</th><td><input id="attr-sq" value='<%= v %>'></td></tr>
<tr><th>attribute, unquoted</th><td><input id="attr-unquoted" value=<%= v %>></td></tr>
<tr><th>href</th><td><a id="href" href="<%= v %>">link</a></td></tr>
<tr><th>src</th><td><img id="src" src="<%= v %>" alt="image"></td></tr>
<tr><th>onclick</th><td><button id="onclick" type="button" onclick="show(<%= v %>)">click</button> <output id="clicked"></output></td></tr>
<tr><th>script expression</th><td><output id="expr"></output><script>document.getElementById("expr").textContent = <%= v %>;</script></td></tr>
<tr><th>script string</th><td><output id="string"></output><script>document.getElementById("string").textContent = "<%= v %>";</script></td></tr>
<tr><th>style element</th><td><span class="swatch">swatch</span></td></tr>
<tr><th>style attribute</th><td><span id="style" style="color: <%= v %>">colour</span></td></tr>
</table>
<script>function show(value) { document.getElementById("clicked").textContent = String(value); }</script>"#
}
