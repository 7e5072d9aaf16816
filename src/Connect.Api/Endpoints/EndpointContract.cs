namespace Connect.Api.Endpoints;

/// <summary>
/// Everything one endpoint is, in one value: where it is, what proves its caller, the body it reads, the headers of
/// its answers, the reasons it answers in the contract's order of checks, the budget it spends and how it is observed.
/// The shared edge reads only this (endpoint metadata, put there by <see cref="EndpointContractConvention"/>): the body
/// gate, the authentication requirement, the budget, <c>ReasonResponse</c>, <c>JsonAnswer</c>, the OpenAPI document and
/// <c>EndpointObserver</c>. A controller declares it as <see cref="IDescribedEndpoint.Contract"/>.
/// </summary>
/// <param name="Method">The HTTP method (<c>HttpMethods.Post</c>, ...).</param>
/// <param name="Route">The route template, from the root (<c>/revoke-all</c>, <c>/applications/{anchor}/jwks.json</c>).</param>
/// <param name="OperationId">The route's name, the OpenAPI <c>operationId</c>.</param>
/// <param name="Answer">The 200 body's type, for the OpenAPI document.</param>
/// <param name="Refusals">The reasons of the endpoint's own checks, drawn from the one table in its contract's order:
/// its credential's, its body's (<c>InvalidBody</c>, which every endpoint with a body lists where its contract checks
/// the body) and its use case's. What every endpoint of its kind answers is not listed here: <see cref="Reasons"/> adds
/// it.</param>
internal sealed record EndpointContract(
    string Method, string Route, string OperationId, Type Answer, IReadOnlyList<ReasonCode> Refusals)
{
    /// <summary>The body gate's reasons (size, then media type), answered by every endpoint with a <see cref="Body"/>.</summary>
    private static readonly ReasonCode[] GateReasons = [ReasonCode.BodyTooLarge, ReasonCode.UnsupportedMediaType];

    /// <summary>The outages' reasons, answered by every endpoint that <see cref="AnswersOutages"/>.</summary>
    private static readonly ReasonCode[] OutageReasons = [ReasonCode.ServiceUnavailable, ReasonCode.InternalError];

    /// <summary>The reasons that follow from the contract's shape, and that a contract therefore never lists itself.</summary>
    internal static readonly IReadOnlyList<ReasonCode> Derived = [.. GateReasons, ReasonCode.RateLimited, .. OutageReasons];

    /// <summary>RFC 6750 §3: a Bearer endpoint's challenge, the one way it ever refuses a token.</summary>
    public const string InvalidTokenChallenge = "Bearer error=\"invalid_token\"";

    public string? Summary { get; init; }

    public string? Description { get; init; }

    /// <summary>The OpenAPI tag; the controller's name when none (two endpoints may share one).</summary>
    public string? Group { get; init; }

    public EndpointCredential Credential { get; init; }

    /// <summary>A JSON body read raw and bounded by the body gate before anything else looks at it; none when null.</summary>
    public EndpointBody? Body { get; init; }

    /// <summary>The caching headers of every JSON answer of the endpoint, its errors included.</summary>
    public AnswerHeaders AnswerHeaders { get; init; } = AnswerHeaders.NoStore;

    public EndpointBudget Budget { get; init; }

    /// <summary>
    /// The use case's own statement writes the client JWT's replay record with its work (one transaction a request), so
    /// the policy accepts the request with the record unwritten; a refusal after authentication writes it first
    /// (<see cref="Authentication.LateClientJwtRecord"/>). Only with <see cref="EndpointBudget.RevokeAll"/>, whose token
    /// a replay found late gives back.
    /// </summary>
    public bool RecordsClientJwtWithItsWork { get; init; }

    /// <summary>How the access log and the metrics name the endpoint's requests.</summary>
    public EndpointObservation Observation { get; init; } = EndpointObservation.Default;

    /// <summary>
    /// Whether a database outage and an unexpected failure are answered as reasons (<c>ServiceUnavailable</c>,
    /// <c>InternalError</c>); false only where not being ready is the answer itself (<c>/health</c>).
    /// </summary>
    public bool AnswersOutages { get; init; } = true;

    /// <summary>
    /// Every reason the endpoint answers; the OpenAPI document lists exactly these. The body gate's (size, then media
    /// type) for an endpoint with a body, then its own <see cref="Refusals"/>, then its budget's <c>RateLimited</c> when
    /// it spends one, then the outages' (<see cref="AnswersOutages"/>). Each derived reason has a status of its own, so
    /// where it stands in the list changes nothing the document shows; the contract says when each is checked.
    /// </summary>
    public IReadOnlyList<ReasonCode> Reasons
    {
        get
        {
            var reasons = new List<ReasonCode>(Refusals.Count + Derived.Count);
            if (Body is not null)
            {
                reasons.AddRange(GateReasons);
            }

            reasons.AddRange(Refusals);
            if (Budget != EndpointBudget.None)
            {
                reasons.Add(ReasonCode.RateLimited);
            }

            if (AnswersOutages)
            {
                reasons.AddRange(OutageReasons);
            }

            return reasons;
        }
    }

    /// <summary>The <c>WWW-Authenticate</c> of the endpoint's 401s: the scheme that would have been accepted (RFC 9110
    /// §11.6.1); none for a credential carried in the body, which has no scheme to name.</summary>
    public string? Challenge => Credential switch
    {
        EndpointCredential.ClientJwt or EndpointCredential.ConnectClientJwt => ClientJwtPolicy.Scheme,
        EndpointCredential.BearerAccessToken => InvalidTokenChallenge,
        _ => null,
    };

    /// <summary>The client JWT proves the caller (authentication runs before the action, on the raw body).</summary>
    public bool AuthenticatesByClientJwt =>
        Credential is EndpointCredential.ClientJwt or EndpointCredential.ConnectClientJwt;

    /// <summary>
    /// The error body's shape: a Bearer endpoint's 401 is RFC 6750's <c>{"error":"invalid_token"}</c> (§3.1), whatever
    /// failed; every other answer of every endpoint is <c>{"reason":...}</c> (or a private reason's zero bytes).
    /// </summary>
    public bool AnswersRfc6750Errors => Credential == EndpointCredential.BearerAccessToken;

    /// <summary>What contradicts itself in this contract, or nothing; the service refuses to start with a problem.</summary>
    public IEnumerable<string> Problems()
    {
        var where = $"{Method} {Route}";
        if (!Route.StartsWith('/'))
        {
            yield return $"{where}: the route must start at the root.";
        }

        foreach (var derived in Refusals.Intersect(Derived))
        {
            yield return $"{where}: {derived.Name} follows from the contract's body, budget or outages; it is not listed as a refusal.";
        }

        if (Body is not null && !Refusals.Contains(ReasonCode.InvalidBody))
        {
            yield return $"{where}: a body answers InvalidBody, which its refusals must list where the body is checked.";
        }

        if ((Budget is EndpointBudget.Application or EndpointBudget.RevokeAll) && !AuthenticatesByClientJwt)
        {
            yield return $"{where}: the application's budget without a session is spent only once a client JWT proved it.";
        }

        if (RecordsClientJwtWithItsWork && (!AuthenticatesByClientJwt || Budget != EndpointBudget.RevokeAll))
        {
            yield return $"{where}: only a client-JWT endpoint spending revoke-all's budget records its client JWT with its work.";
        }

        if ((AuthenticatesByClientJwt || Credential == EndpointCredential.SessionTokenInBody) && Body is null)
        {
            yield return $"{where}: a credential read with the body needs the body gate (Body).";
        }

        if (Refusals.Distinct().Count() != Refusals.Count)
        {
            yield return $"{where}: a reason is listed twice.";
        }
    }
}

/// <summary>What proves an endpoint's caller; the challenge and the error body's shape follow from it.</summary>
internal enum EndpointCredential
{
    /// <summary>Nothing (the JWKS, <c>/info</c>), or a key in the body the use case checks (<c>/status-poll</c>, <c>/redeem</c>).</summary>
    None,

    /// <summary><c>Authorization: SudomimusClientJWT</c>, either generation's audience (<c>/revoke-all</c>).</summary>
    ClientJwt,

    /// <summary>A client JWT of the Connect generation only: a Session API client's <c>aud</c> is
    /// <c>ClientJwtAudienceMismatch</c>, before the budget (<c>/establish</c>).</summary>
    ConnectClientJwt,

    /// <summary>A session token in the JSON body, verified by the use case; its 401s name no challenge.</summary>
    SessionTokenInBody,

    /// <summary><c>Authorization: Bearer</c> access token (RFC 6750), verified by the use case.</summary>
    BearerAccessToken,
}

/// <summary>The request budget an endpoint spends (docs/architecture.md "What an endpoint declares").</summary>
internal enum EndpointBudget
{
    None,

    /// <summary>The client address's bucket, before the body is read: for work done before any credential is checked.</summary>
    ClientAddress,

    /// <summary>The session's bucket and the application's ceiling, spent by the use case once the token's signature
    /// verified.</summary>
    Session,

    /// <summary>The application's ceiling, once the client JWT is accepted, before the body.</summary>
    Application,

    /// <summary><c>/revoke-all</c>'s own bucket per application, once the client JWT is accepted, before the body.</summary>
    RevokeAll,
}

/// <summary>The JSON body an endpoint reads raw (the client JWT signs it; a session token in it is read from it).</summary>
/// <param name="Schema">The body's JSON shape, for the OpenAPI document (the action binds no parameter).</param>
/// <param name="MaxBytes">The endpoint's own limit in bytes; 0 is <c>Connect:Requests:MaxBodyBytes</c>.</param>
/// <param name="RefusesUnknownMembers">The body refuses members it does not name, for the OpenAPI document.</param>
internal sealed record EndpointBody(Type? Schema, int MaxBytes = 0, bool RefusesUnknownMembers = false) : Requests.IRawJsonBodyLimit
{
    /// <summary>
    /// The limit of the endpoints whose body carries one session token: docs/contract/sessions.md allows a token of 4 KiB,
    /// and such a token, quoted in its JSON object, must reach the <c>400 InvalidBody</c> check rather than be refused as
    /// too large.
    /// </summary>
    public const int TokenBodyBytes = 8 * 1024;
}

/// <summary>How <c>EndpointObserver</c> names an endpoint's requests.</summary>
/// <param name="AccessLogLevel">Information; Debug for an endpoint load balancers ask every few seconds (<c>/health</c>).
/// Its metrics are recorded as any other's.</param>
/// <param name="Aliases">Older names the endpoint's requests are also recorded under, for the dashboards built on them.</param>
internal sealed record EndpointObservation(LogLevel AccessLogLevel = LogLevel.Information, ObservationAliases Aliases = ObservationAliases.None)
{
    public static EndpointObservation Default { get; } = new();

    public static EndpointObservation Quiet { get; } = new(LogLevel.Debug);
}

/// <summary>Names older than the per-endpoint ones, kept with the same values (docs/observability.md).</summary>
internal enum ObservationAliases
{
    None,

    /// <summary>
    /// The log line <c>RevokeAllAnswered</c> (event 1, with the subject hash and the revoked count) instead of
    /// <c>EndpointAnswered</c>, and the <c>connect.revoke_all.*</c> instruments besides the per-endpoint ones.
    /// </summary>
    RevokeAll,
}
