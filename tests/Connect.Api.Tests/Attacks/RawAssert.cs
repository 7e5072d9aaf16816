namespace Connect.Api.Tests.Attacks;

/// <summary>The contract's answers, checked on a raw HTTP/1.1 response.</summary>
internal static class RawAssert
{
    public static void Reason(RawResponse response, int status, string reason)
    {
        Assert.Equal((status, $$"""{"reason":"{{reason}}"}"""), (response.Status, response.BodyText));
        Assert.StartsWith("application/json", response.Header("Content-Type"), StringComparison.Ordinal);
        if (status == 401)
        {
            Assert.Equal("SudomimusClientJWT", response.Header("WWW-Authenticate"));
        }
    }

    public static void Revoked(RawResponse response, int count) =>
        Assert.Equal((200, $$"""{"revokedCount":{{count}}}"""), (response.Status, response.BodyText));

    /// <summary>A refusal by the HTTP server itself, before the application: the status and no body at all.</summary>
    public static void Empty(RawResponse response, int status) =>
        Assert.Equal((status, 0), (response.Status, response.Body.Length));
}
