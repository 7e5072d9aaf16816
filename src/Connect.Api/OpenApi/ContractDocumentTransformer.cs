namespace Connect.Api.OpenApi;

/// <summary>The document as a whole: its title and version, and the <c>SudomimusClientJWT</c> security scheme.</summary>
internal sealed class ContractDocumentTransformer(IConfiguration configuration) : IOpenApiDocumentTransformer
{
    /// <summary>The service's public base URL, as its clients reach it; without it the document names no server.</summary>
    public const string ServerUrlKey = "Connect:OpenApi:ServerUrl";

    private static readonly string Version =
        typeof(ContractDocumentTransformer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            .Split('+')[0] ?? "0.0.0";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        document.Info = new OpenApiInfo
        {
            Title = "Sudomimus Connect",
            Version = Version,
            Description = "Session management of the Sudomimus Connect API: an application logs one of its users out everywhere.",
        };
        document.AddComponent(ClientJwtPolicy.Scheme, ClientJwtScheme());
        DescribeHealthStatus(document);

        // Never the request's Host (anyone can send any Host): the configured URL, or none (clients then use the
        // document's own origin, OpenAPI 3.1 §4.8.1).
        var serverUrl = configuration[ServerUrlKey];
        document.Servers = string.IsNullOrWhiteSpace(serverUrl) ? [] : [new OpenApiServer { Url = serverUrl }];
        OrderByName(document);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Paths and tags by name: the framework lists them in the order it finds the controllers, which moves whenever a
    /// file does, and the committed document would churn with it.
    /// </summary>
    private static void OrderByName(OpenApiDocument document)
    {
        var paths = new OpenApiPaths();
        foreach (var (template, item) in document.Paths.OrderBy(path => path.Key, StringComparer.Ordinal))
        {
            paths.Add(template, item);
        }

        document.Paths = paths;
        if (document.Tags is { } tags)
        {
            document.Tags = new HashSet<OpenApiTag>(tags.OrderBy(tag => tag.Name, StringComparer.Ordinal));
        }
    }

    /// <summary><c>status</c> says the same as <c>ready</c>, in the words the newer clients read.</summary>
    private static void DescribeHealthStatus(OpenApiDocument document)
    {
        if (document.Components?.Schemas is { } schemas
            && schemas.TryGetValue(nameof(HealthController.HealthResponse), out var schema)
            && schema is OpenApiSchema { Properties: { } properties }
            && properties.TryGetValue("status", out var property)
            && property is OpenApiSchema status)
        {
            status.Enum = [JsonValue.Create("ok"), JsonValue.Create("unavailable")];
            status.Description = "`ok` when ready (200), `unavailable` when not (503).";
        }
    }

    /// <summary>
    /// An HTTP authentication scheme of its own name (RFC 9110 §11): the header is
    /// <c>Authorization: SudomimusClientJWT &lt;compact JWS&gt;</c>. The rules are the contract's.
    /// </summary>
    private static OpenApiSecurityScheme ClientJwtScheme() => new()
    {
        Type = SecuritySchemeType.Http,
        Scheme = ClientJwtPolicy.Scheme,
        BearerFormat = "JWT",
        Description = $"""
            `Authorization: {ClientJwtPolicy.Scheme} <compact JWS>` (the scheme name is matched case-insensitively).

            The JWT is signed by the application's client-auth private key with **RS256 only**
            (RSASSA-PKCS1-v1_5 SHA-256, RSA keys of at least 2048 bits registered beforehand). Header
            `{"{"}"alg":"RS256","typ":"JWT"{"}"}`; an optional `kid` names one of the application's registered keys.
            `none`, `HS*`, `ES*`, `PS*` and the header parameters `jku`, `x5u`, `jwk`, `x5c` and `crit` are rejected.

            Required payload claims:

            | claim | rule |
            | --- | --- |
            | `iss` | the application anchor, matched exactly |
            | `aud` | the single string `{ClientJwtOptions.ConnectAudience}` (Connect API clients, answered `revokedCount`) or `{ClientJwtOptions.SessionAudience}` (Session API clients, answered exactly `{"{"}"revoked":true{"}"}`), or an audience the operator added |
            | `iat` | integer UNIX seconds, at most {ClientJwtLimits.AllowedSkewSeconds} s in the future |
            | `exp` | integer UNIX seconds, strictly in the future; `exp - iat` above 0 and at most {ClientJwtLimits.MaxLifetimeSeconds} |
            | `jti` | non-empty string of at most {ClientJwtLimits.MaxJtiLength} characters, accepted once per application |
            | `body_sha256` | standard base64 (with padding) of SHA-256 over the exact raw request body |

            A `sub`, when present, must equal `iss`; an `nbf`, when present, must not be more than
            {ClientJwtLimits.AllowedSkewSeconds} s in the future. A token over {ClientJwtLimits.MaxTokenLength} bytes,
            or with a duplicated member, is malformed.
            """,
    };
}
