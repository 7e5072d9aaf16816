using System.Globalization;
using System.Text.Json.Nodes;
using Connect.Api.Controllers;
using Connect.Application.ClientAuthentication;
using Connect.Domain.Accounts;
using Connect.Domain.Outcomes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.OpenApi;

namespace Connect.Api.OpenApi;

/// <summary>
/// Describes <c>POST /revoke-all</c> beyond what the controller's signature shows: the signed raw body, the
/// client-JWT requirement, and every error status with its reason codes. The lists are built from
/// <see cref="RevokeAllController.Reasons"/>, the endpoint's part of the one table, so the document neither drifts
/// from the codes the endpoint answers nor lists another endpoint's.
/// </summary>
internal sealed class RevokeAllOperationTransformer : IOpenApiOperationTransformer
{
    private const string Json = "application/json";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        if (!string.Equals("/" + context.Description.RelativePath, RevokeAllController.Route, StringComparison.OrdinalIgnoreCase))
        {
            return Task.CompletedTask;
        }

        operation.Summary = "Log one account out everywhere";
        operation.Description =
            "Revokes every active refresh token of the account the subject names in the calling application's " +
            "sector, for the calling application only. An unknown subject, or one of another sector, revokes nothing " +
            "and also answers 200 with revokedCount 0.";
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "Signed byte for byte by the client JWT's body_sha256. Unknown properties are ignored.",
            Content = new Dictionary<string, OpenApiMediaType> { [Json] = new() { Schema = RequestSchema() } },
        };
        operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ClientJwtPolicy.Scheme, context.Document)] = [] }];

        operation.Responses ??= [];
        foreach (var status in RevokeAllController.Reasons.GroupBy(reason => reason.Status).OrderBy(group => group.Key))
        {
            operation.Responses[status.Key.ToString(CultureInfo.InvariantCulture)] = ErrorResponse(status.Key, [.. status]);
        }

        return Task.CompletedTask;
    }

    private static OpenApiSchema RequestSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Required = new HashSet<string> { "subject" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["subject"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                MinLength = 1,
                MaxLength = SectorSubject.MaxLength,
                Description = "The sector subject: the sub the application sees for the user.",
            },
        },
    };

    private static OpenApiResponse ErrorResponse(int status, IReadOnlyList<ReasonCode> reasons)
    {
        var spoken = reasons.Where(reason => !reason.IsPrivate).Select(reason => reason.Name).ToList();
        var response = new OpenApiResponse
        {
            Description = spoken.Count > 0
                ? $"{ReasonPhrases.GetReasonPhrase(status)}: {string.Join(", ", spoken)}."
                : $"{ReasonPhrases.GetReasonPhrase(status)}, with a zero-byte body; the detail is in the server log only.",
            Headers = Headers(status),
        };
        if (spoken.Count > 0)
        {
            response.Content = new Dictionary<string, OpenApiMediaType> { [Json] = new() { Schema = ReasonSchema(spoken) } };
        }

        return response;
    }

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

    /// <summary>The headers <c>ReasonResponse</c> and the rate limiter add, by status.</summary>
    private static Dictionary<string, IOpenApiHeader>? Headers(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => new() { ["WWW-Authenticate"] = Header($"Always `{ClientJwtPolicy.Scheme}`.", JsonSchemaType.String) },
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
