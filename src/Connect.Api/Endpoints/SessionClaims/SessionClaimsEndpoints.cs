namespace Connect.Api.Endpoints.SessionClaims;

/// <summary>
/// What <c>GET /userinfo</c> and <c>GET /claim-state</c> (docs/contract/sessions.md) share: the holder of an unexpired
/// access token of an active session, named by the <c>Authorization: Bearer</c> header. Connect holds no profile data.
/// </summary>
internal static class SessionClaimsEndpoints
{
    /// <summary>
    /// Both endpoints' contract. Either 401 reason is sent as <c>{"error":"invalid_token"}</c>, not <c>{"reason":...}</c>
    /// (the Bearer credential's error shape): the caller never learns which check failed. Every answer depends on the
    /// <c>Authorization</c> header.
    /// </summary>
    public static EndpointContract Contract(string route, string operationId, Type answer) =>
        new(
            HttpMethods.Get, route, operationId, answer,
            [ReasonCode.AccessTokenInvalid, ReasonCode.AccessTokenInvalidSignature])
        {
            Group = "SessionClaims",
            Credential = EndpointCredential.BearerAccessToken,
            AnswerHeaders = AnswerHeaders.NoStoreByAuthorization,
            Budget = EndpointBudget.Session,
        };

    public static Task<Outcome<SessionClaimsResult>> SendAsync(IMediator mediator, HttpContext context) =>
        mediator.Send(new SessionClaimsQuery(BearerToken.From(context.Request.Headers.Authorization)), context.RequestAborted);

    /// <summary>The five claims of the Session API, all always sent, in its order.</summary>
    public sealed record ProfileClaims(
        ProfileClaimState Email,
        [property: JsonPropertyName("given_name")] ProfileClaimState GivenName,
        [property: JsonPropertyName("family_name")] ProfileClaimState FamilyName,
        ProfileClaimState Picture,
        [property: JsonPropertyName("picture_animated")] ProfileClaimState PictureAnimated)
    {
        /// <summary>Connect holds no profile data: nothing is required and nothing is known.</summary>
        public static ProfileClaims NoneHeld { get; } = new(ProfileClaimState.Off, ProfileClaimState.Off, ProfileClaimState.Off, ProfileClaimState.Off, ProfileClaimState.Off);
    }

    public sealed record ProfileClaimState(string Requirement, string State)
    {
        public static ProfileClaimState Off { get; } = new("OFF", "UNKNOWN");
    }
}
