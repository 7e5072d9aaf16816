namespace Connect.Api.Requests;

/// <summary>
/// The one way a request body is read: <see cref="StrictJson"/>'s strict document (its one depth limit, duplicates
/// refused at every level, UTF-8 and Unicode text only), then bound to the body's type. Anything else is
/// <see cref="ReasonCode.InvalidBody"/>, and the parser's message never leaves the process.
/// </summary>
internal static class StrictRequestJson
{
    /// <param name="refuseUnknownMembers">
    /// The sign-in bodies refuse a member they do not name; the session-token and revoke-all bodies ignore it.
    /// </param>
    public static Outcome<T> Parse<T>(ReadOnlyMemory<byte> body, bool refuseUnknownMembers = false)
        where T : class =>
        StrictJson.Deserialize<T>(body, refuseUnknownMembers) is { } parsed ? parsed : ReasonCode.InvalidBody;
}
