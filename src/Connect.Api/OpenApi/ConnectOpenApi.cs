using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Scalar.AspNetCore;

namespace Connect.Api.OpenApi;

/// <summary>
/// The OpenAPI 3.1 description of the contract at <c>/openapi/v1.json</c>, and in Development an interactive
/// reference page (Scalar) at <c>/scalar/v1</c>.
/// </summary>
internal static class ConnectOpenApi
{
    public const string DocumentName = "v1";

    public const string DocumentPath = "/openapi/" + DocumentName + ".json";

    public static IServiceCollection AddConnectOpenApi(this IServiceCollection services)
    {
        // The controllers are not [ApiController]s (they answer errors through ReasonResponse, not the
        // framework's automatic 400), so the API explorer would skip them: every action here is the contract.
        services.Configure<MvcOptions>(mvc => mvc.Conventions.Add(new DocumentEveryAction()));
        // The schemas are generated with these options; the web default would document every number as
        // "integer or numeric string", which the service never sends or accepts.
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict);
        return services.AddOpenApi(DocumentName, options =>
        {
            options.OpenApiVersion = Microsoft.OpenApi.OpenApiSpecVersion.OpenApi3_1;
            options.AddDocumentTransformer<ContractDocumentTransformer>();
            options.AddOperationTransformer<RevokeAllOperationTransformer>();
            options.AddOperationTransformer<JwksOperationTransformer>();
        });
    }

    public static void MapConnectOpenApi(this WebApplication app)
    {
        // A literal path, not "/openapi/{documentName}.json": any other name stays the service's empty 404
        // instead of the framework's plain-text "No OpenAPI document" answer.
        app.MapOpenApi(DocumentPath);
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference(scalar => scalar.OpenApiRoutePattern = DocumentPath);
        }
    }

    private sealed class DocumentEveryAction : IActionModelConvention
    {
        public void Apply(ActionModel action) => action.ApiExplorer.IsVisible ??= true;
    }
}
