use rsp::prelude::*;

struct Point {
    x: i32,
}

page! {
    GET "/" => point;
    let point = Point { x: 1 };
    r#"<p>x is <%= point.x %>,
the point is <%= point %></p>"#
}

fn main() {}
