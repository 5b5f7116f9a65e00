/// The page template used unless `pages.error_template` names another. Self-
/// contained (no external style sheet, script or image), so it can be served
/// with a strict Content-Security-Policy.
enum BuiltInPageTemplate {
    static let source = """
    <!DOCTYPE html>
    <html lang="en"><head><meta charset="utf-8">
    <title>{{title}}{{#site_name}} · {{site_name}}{{/site_name}}</title>
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="robots" content="noindex">
    <style>
    body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222;line-height:1.5}
    .site{color:#555;font-size:.9rem;margin:0 0 2rem}h1{font-size:1.4rem;margin:0 0 1rem}
    .detail{color:#444;border-left:3px solid #ccc;padding-left:.75rem}.links a{margin-right:1.25rem}
    .reference{color:#777;font-size:.8rem;margin-top:2.5rem}
    .choices{list-style:none;padding:0}.choices li{margin:.5rem 0}
    .choices a{display:inline-block;padding:.5rem 1rem;border:1px solid #555;border-radius:.25rem;color:#123;text-decoration:none}
    </style>
    </head><body>
    {{#site_name}}<p class="site">{{site_name}}</p>{{/site_name}}
    <h1>{{title}}</h1>
    <p>{{message}}</p>
    {{#provider_choice}}<ul class="choices">{{#providers}}<li><a href="{{provider_url}}">Sign in with {{provider_name}}</a></li>{{/providers}}</ul>{{/provider_choice}}
    {{#error_description}}<p class="detail">{{error_description}}</p>{{/error_description}}
    <p class="links">{{#try_again_url}}<a href="{{try_again_url}}">Try again</a>{{/try_again_url}}<a href="{{start_url}}">Go to the start page</a></p>
    {{#correlation_id}}<p class="reference">Error {{status}}{{#error}} · {{error}}{{/error}} · Reference {{correlation_id}}</p>{{/correlation_id}}
    </body></html>

    """

    /// Parsed for each `ErrorPages` (once per process in practice) rather than kept
    /// in a global: LeakSanitizer cannot follow Swift's tagged string pointers
    /// in globals, and the fuzz targets build a context per input.
    static var template: PageTemplate {
        do { return try PageTemplate(parsing: source) } catch { preconditionFailure("the built-in page template does not parse: \(error)") }
    }

    /// Everything the built-in page needs and nothing else, and never in a frame.
    static let contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
}
