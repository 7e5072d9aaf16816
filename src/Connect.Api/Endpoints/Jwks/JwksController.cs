namespace Connect.Api.Endpoints.Jwks;

public sealed class JwksController(IMediator mediator, IOptions<SigningKeyOptions> options) : ControllerBase, IDescribedEndpoint
{
    public const string Route = "/applications/{anchor}/jwks.json";

    private const string Prefix = "/applications/";
    private const string Suffix = "/jwks.json";

    /// <summary>No credential: the client address's budget comes first. Its answer names its own caching headers.</summary>
    static EndpointContract IDescribedEndpoint.Contract { get; } = new(
        HttpMethods.Get, Route, "applicationJwks", typeof(JwksResponse),
        [ReasonCode.ApplicationNotFound])
    {
        Summary = "The application's token-signing keys",
        Description =
            "The RSA public keys (RFC 7517) that verify the application's access and refresh tokens: next, current and " +
            "retiring keys, at most 32, each exactly kty, n, e, kid (its RFC 7638 thumbprint), use and alg. The anchor is " +
            "percent-encoded as one path segment. Answers carry Cache-Control: public, max-age=N; a key is published " +
            "for at least N seconds before it signs. No authentication.",
        Budget = EndpointBudget.ClientAddress,
    };

    /// <summary>The application's published token-signing keys (next, current, retiring), at most 32.</summary>
    public async Task<IActionResult> Jwks()
    {
        var outcome = await mediator.Send(new GetJwksQuery(Anchor()), HttpContext.RequestAborted);
        if (!outcome.Succeeded)
        {
            return ReasonResponse.AsResult(outcome.Failure);
        }

        return JsonAnswer.AsResult(
            new JwksResponse([.. outcome.Value.Keys.Select(key => new Jwk("RSA", key.N, key.E, key.Kid, "sig", "RS256"))]),
            JwksJson.Default.JwksResponse,
            AnswerHeaders.Public(options.Value.JwksMaxAgeSeconds));
    }

    /// <summary>
    /// The anchor percent-decoded from its one path segment. The request path has every escape decoded except
    /// <c>%2F</c>, so a literal "%2F" in an anchor (sent as <c>%252F</c>) would be ambiguous: decode the raw
    /// segment exactly once. Servers that keep no raw target (the in-memory test server) get the path's reading.
    /// </summary>
    private string Anchor()
    {
        var raw = HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (!string.IsNullOrEmpty(raw))
        {
            var path = raw.Split('?', 2)[0];
            if (path.StartsWith(Prefix, StringComparison.Ordinal) && path.EndsWith(Suffix, StringComparison.Ordinal)
                && path.Length > Prefix.Length + Suffix.Length)
            {
                var segment = path[Prefix.Length..^Suffix.Length];
                if (!segment.Contains('/', StringComparison.Ordinal))
                {
                    return Uri.UnescapeDataString(segment);
                }
            }
        }

        return ((string)RouteData.Values["anchor"]!).Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>RFC 7517 §5: the set; each key exactly these six members, in this order (docs/contract/sessions.md).</summary>
    public sealed record JwksResponse(IReadOnlyList<Jwk> Keys);

    public sealed record Jwk(string Kty, string N, string E, string Kid, string Use, string Alg);
}

/// <summary>The answers of JwksController, serialized by generated code with the web defaults (camelCase), as every answer.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(JwksController.JwksResponse))]
internal sealed partial class JwksJson : JsonSerializerContext;
