namespace Connect.Api.SignIn;

/// <summary>
/// The headers and the JSON of the sign-in page (docs/contract/sign-in.md "The sign-in page"). The page's calls
/// are its own, not the contract's API: they answer in the page's states (<c>ready</c>, <c>realized</c>,
/// <c>enrolled</c>, <c>failed</c> with a sentence for a person), never with whether an account exists.
/// </summary>
internal static class SignInPageAnswers
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    /// <summary>Every answer under /sign-in: no inline code, no framing, no sniffing, no referrer, no cache.</summary>
    public static void ApplyHeaders(HttpResponse response)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
    }

    public static string Explain(SignInFailure failure) => failure switch
    {
        SignInFailure.InquiryNotFound =>
            "This sign-in link is not valid. Go back to the application and start signing in again.",
        SignInFailure.InquiryExpired =>
            "This sign-in request has expired. Go back to the application and start signing in again.",
        SignInFailure.InquiryRealized or SignInFailure.InquiryRedeemed =>
            "This sign-in request has already been completed. You can return to the application.",
        SignInFailure.SignUpClosed =>
            "This application does not accept new accounts here. Sign in with a passkey you already have.",
        SignInFailure.AttemptExpired =>
            "That attempt took too long or was already used. Please try again.",
        SignInFailure.PasskeyRefused =>
            "That passkey could not be used to sign in here. Try another passkey.",
        SignInFailure.NotAllowed =>
            "The application asked for a different account. Sign in with the passkey of the account you used there before.",
        SignInFailure.Unavailable =>
            "This account or application cannot sign in right now.",
        SignInFailure.LinkUnavailable =>
            "This link cannot be used: it may have expired or been used already. Ask for a new one.",
        _ => "Something went wrong. Reload the page and try again.",
    };

    public static IResult Ready(Guid ceremony, string options) => Json(writer =>
    {
        writer.WriteString("state"u8, "ready"u8);
        writer.WriteString("ceremony"u8, ceremony.ToString());
        writer.WritePropertyName("options"u8);
        writer.WriteRawValue(options);
    });

    public static IResult Realized(Uri? redirect) => Json(writer =>
    {
        writer.WriteString("state"u8, "realized"u8);
        if (redirect is not null)
        {
            writer.WriteString("redirect"u8, redirect.AbsoluteUri);
        }

        writer.WriteString("message"u8, "You are signed in. You can return to the application."u8);
    });

    public static IResult Enrolled() => Json(writer =>
    {
        writer.WriteString("state"u8, "enrolled"u8);
        writer.WriteString("message"u8, "Your passkey was added. You can now sign in with it."u8);
    });

    public static IResult Failed(SignInFailure failure, int status = StatusCodes.Status200OK) =>
        Failed(Explain(failure), status);

    public static IResult Failed(string message, int status) => Json(
        writer =>
        {
            writer.WriteString("state"u8, "failed"u8);
            writer.WriteString("message"u8, message);
        },
        status);

    private static JsonBytes Json(Action<Utf8JsonWriter> write, int status = StatusCodes.Status200OK)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return new JsonBytes(buffer.WrittenMemory.ToArray(), status);
    }

    /// <summary>A page answer in one piece, with its length, like every other JSON answer of the service.</summary>
    private sealed class JsonBytes(byte[] body, int status) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = status;
            response.ContentType = "application/json; charset=utf-8";
            response.ContentLength = body.Length;
            return response.Body.WriteAsync(body, httpContext.RequestAborted).AsTask();
        }
    }
}
