use rsp::prelude::*;

// The server checks a field's `pattern` as the browser does: one it could not check is
// refused at compile time, at the field.
page! {
    GET | POST "/code" => code;
    r#"<form method="post">
  <input name="code" pattern="(?<=a)b">
</form>"#
}

fn main() {}
