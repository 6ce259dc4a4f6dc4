; extends
; rsp: the body of `page!` and `html!` (their last string literal) is a page: HTML with
; `<% %>` tags, the shape of an embedded template (as ERB and EJS). Add this file to the
; Rust injections of Neovim (`after/queries/rust/injections.scm`) or Helix
; (`runtime/queries/rust/injections.scm`).
((macro_invocation
   macro: [
     (identifier) @_macro
     (scoped_identifier name: (identifier) @_macro)
   ]
   (token_tree
     [
       (raw_string_literal (string_content) @injection.content)
       (string_literal (string_content) @injection.content)
     ] .))
  (#any-of? @_macro "page" "html")
  (#set! injection.language "embedded_template"))

; The same inside another macro's tokens (an `html!` in a page header), where the grammar
; sees only a name, a `!` and a token tree.
((token_tree
   (identifier) @_macro
   .
   "!"
   .
   (token_tree
     [
       (raw_string_literal (string_content) @injection.content)
       (string_literal (string_content) @injection.content)
     ] .))
  (#any-of? @_macro "page" "html")
  (#set! injection.language "embedded_template"))
