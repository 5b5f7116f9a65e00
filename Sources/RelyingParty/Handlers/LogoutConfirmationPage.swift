/// The page a GET of the logout location gets in POST-only mode: one button
/// that POSTs back, so only a user's own click on this site ends the session.
enum LogoutConfirmationPage {
    static func response(action: String, returnTo: String, for request: Request) -> Response {
        let page = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Log out</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}button{font-size:1rem;padding:.5rem 1rem}</style>
        </head><body><h1>Log out?</h1>
        <form method="post" action="\(HTMLText.escape(action))"><input type="hidden" name="return_to" value="\(HTMLText.escape(returnTo))">
        <button type="submit">Log out</button></form></body></html>

        """
        return Response(status: 200, headers: [
            Response.Header(.contentType, "text/html; charset=utf-8"), Response.Header(.cacheControl, "no-store"),
            Response.Header(.contentSecurityPolicy, "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"),
        ], body: Array(page.utf8))
    }
}
