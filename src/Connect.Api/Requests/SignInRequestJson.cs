namespace Connect.Api.Requests;

/// <summary>
/// The wire forms of the sign-in endpoints (docs/contract/sign-in.md). Stricter than the session-token bodies: an
/// unknown member is refused, not ignored, because these bodies open and redeem sign-ins and a member this service
/// does not understand (a constraint it would silently drop) must not pass as if it were honoured.
/// </summary>
internal static class SignInRequestJson
{
    public static Outcome<T> Parse<T>(ReadOnlyMemory<byte> body)
        where T : class => StrictRequestJson.Parse<T>(body, refuseUnknownMembers: true);
}
