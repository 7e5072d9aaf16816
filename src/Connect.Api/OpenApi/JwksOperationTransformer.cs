using System.Text.Json.Nodes;
using Connect.Api.Controllers;
using Connect.Domain.Outcomes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Connect.Api.OpenApi;

/// <summary>Describes <c>GET /applications/{anchor}/jwks.json</c>: what it publishes, its caching and its one error.</summary>
internal sealed class JwksOperationTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        if (!string.Equals("/" + context.Description.RelativePath, JwksController.Route, StringComparison.OrdinalIgnoreCase))
        {
            return Task.CompletedTask;
        }

        operation.Summary = "The application's token-signing keys";
        operation.Description =
            "The RSA public keys (RFC 7517) that verify the application's access and refresh tokens: next, current and " +
            "retiring keys, at most 32, each exactly kty, n, e, kid (its RFC 7638 thumbprint), use and alg. The anchor is " +
            "percent-encoded as one path segment. Answers carry Cache-Control: public, max-age=N; a key is published " +
            "for at least N seconds before it signs. No authentication.";
        operation.Responses ??= [];
        operation.Responses["404"] = new OpenApiResponse
        {
            Description = $"Not Found: {ReasonCode.ApplicationNotFound.Name}.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new()
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Required = new HashSet<string> { "reason" },
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            ["reason"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create(ReasonCode.ApplicationNotFound.Name)] },
                        },
                    },
                },
            },
        };
        return Task.CompletedTask;
    }
}
