namespace Connect.Api.OpenApi;

/// <summary>
/// Describes every described endpoint from its <see cref="EndpointContract"/>, with nothing written per endpoint: every
/// error status with its reason codes, the contract's own part of the one table, so the document neither drifts from
/// the codes an endpoint answers nor lists another endpoint's; the raw JSON body its <see cref="EndpointContract.Body"/>
/// names; and the credential its <see cref="EndpointContract.Challenge"/> names. The 200 body, the summary and the
/// description are put where the framework's generator reads them by <see cref="EndpointContractConvention"/>.
/// </summary>
internal sealed class EndpointOperationTransformer : IOpenApiOperationTransformer
{
    /// <summary>The security scheme of the endpoints whose credential is an access token in the Authorization header.</summary>
    public const string BearerScheme = "Bearer";

    private const string Json = "application/json";

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<EndpointContract>().FirstOrDefault() is not { } contract)
        {
            return;
        }

        var challenge = contract.Challenge;
        if (contract.Body is { Schema: { } bodyType } body)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = BodyDescription(body, challenge),
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    [Json] = new() { Schema = await context.GetOrCreateSchemaAsync(bodyType, null, cancellationToken) },
                },
            };
        }

        if (SecurityScheme(challenge, context.Document) is { } scheme)
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [] }];
        }

        operation.Responses ??= [];
        foreach (var status in contract.Reasons.GroupBy(reason => reason.Status).OrderBy(group => group.Key))
        {
            operation.Responses[status.Key.ToString(CultureInfo.InvariantCulture)] =
                contract.AnswersRfc6750Errors && status.Key == StatusCodes.Status401Unauthorized
                    ? BearerErrorResponse([.. status], challenge)
                    : ErrorResponse(status.Key, [.. status], challenge);
        }
    }

    private static string BodyDescription(EndpointBody body, string? challenge)
    {
        var limit = body.MaxBytes > 0
            ? string.Create(CultureInfo.InvariantCulture, $"At most {body.MaxBytes} bytes")
            : "At most Connect:Requests:MaxBodyBytes bytes (4096 by default)";
        var signed = challenge == ClientJwtPolicy.Scheme ? " Signed byte for byte by the client JWT's body_sha256." : string.Empty;
        var unknown = body.RefusesUnknownMembers ? "Unknown properties are refused (InvalidBody)." : "Unknown properties are ignored.";
        return $"{limit}, application/json (charset utf-8 at most), no Content-Encoding.{signed} {unknown}";
    }

    /// <summary>The scheme the endpoint's 401 challenge names, added to the document's components on first use.</summary>
    private static string? SecurityScheme(string? challenge, OpenApiDocument? document)
    {
        if (challenge == ClientJwtPolicy.Scheme)
        {
            return ClientJwtPolicy.Scheme; // described by ContractDocumentTransformer
        }

        if (challenge?.StartsWith(BearerScheme, StringComparison.Ordinal) == true)
        {
            document?.AddComponent(BearerScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "`Authorization: Bearer <access token>`: one of the application's access tokens (RS256, " +
                              "typ vnd.sudomimus.application-access+jwt), unexpired, of an active session.",
            });
            return BearerScheme;
        }

        return null;
    }

    private static OpenApiResponse ErrorResponse(int status, IReadOnlyList<ReasonCode> reasons, string? challenge)
    {
        var spoken = reasons.Where(reason => !reason.IsPrivate).Select(reason => reason.Name).ToList();
        var response = new OpenApiResponse
        {
            Description = spoken.Count > 0
                ? $"{ReasonPhrases.GetReasonPhrase(status)}: {string.Join(", ", spoken)}."
                : $"{ReasonPhrases.GetReasonPhrase(status)}, with a zero-byte body; the detail is in the server log only.",
            Headers = Headers(status, challenge),
        };
        if (spoken.Count > 0)
        {
            response.Content = new Dictionary<string, OpenApiMediaType> { [Json] = new() { Schema = ReasonSchema(spoken) } };
        }

        return response;
    }

    /// <summary>
    /// A Bearer endpoint's 401, as <c>ReasonResponse</c> answers it: RFC 6750 §3.1's <c>{"error":"invalid_token"}</c>
    /// whatever failed; the reason stays in the access log, where the document says which ones it can be.
    /// </summary>
    private static OpenApiResponse BearerErrorResponse(IReadOnlyList<ReasonCode> reasons, string? challenge) => new()
    {
        Description = $"{ReasonPhrases.GetReasonPhrase(StatusCodes.Status401Unauthorized)}: RFC 6750's invalid_token, " +
                      $"whatever failed ({string.Join(", ", reasons.Select(reason => reason.Name))} in the access log only).",
        Headers = Headers(StatusCodes.Status401Unauthorized, challenge),
        Content = new Dictionary<string, OpenApiMediaType>
        {
            [Json] = new()
            {
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Required = new HashSet<string> { "error" },
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        ["error"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("invalid_token")] },
                    },
                },
            },
        },
    };

    private static OpenApiSchema ReasonSchema(IEnumerable<string> names) => new()
    {
        Type = JsonSchemaType.Object,
        Required = new HashSet<string> { "reason" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["reason"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Enum = [.. names.Select(name => JsonValue.Create(name))],
            },
        },
    };

    /// <summary>The headers <c>ReasonResponse</c> adds, by status: the endpoint's challenge on 401, Retry-After.</summary>
    private static Dictionary<string, IOpenApiHeader>? Headers(int status, string? challenge) => status switch
    {
        StatusCodes.Status401Unauthorized when challenge is not null =>
            new() { ["WWW-Authenticate"] = Header($"Always `{challenge}`.", JsonSchemaType.String) },
        StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable =>
            new() { ["Retry-After"] = Header("Seconds to wait before trying again.", JsonSchemaType.Integer) },
        _ => null,
    };

    private static OpenApiHeader Header(string description, JsonSchemaType type) => new()
    {
        Description = description,
        Required = true,
        Schema = new OpenApiSchema { Type = type },
    };
}
