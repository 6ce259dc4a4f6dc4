use rsp::prelude::*;

use crate::guestbook::Guestbook;

// The guestbook for programs: no body, the page answers with its last expression, and
// its errors are JSON (`errors: json;`). Elsewhere, a request that asks for JSON gets its
// errors as JSON too (`GET /api/nowhere`).
page! {
    GET "/api/guestbook" => api_guestbook;
    errors: json;
    let entries = req.state::<Guestbook>().latest(50).await?;
    json(&entries)
}
