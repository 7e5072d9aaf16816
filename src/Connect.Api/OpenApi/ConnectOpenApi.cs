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
            options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            options.AddDocumentTransformer<ContractDocumentTransformer>();
            options.AddOperationTransformer<EndpointOperationTransformer>();
        });
    }

    /// <summary>How long clients and proxies may keep the document: it changes only with a new version.</summary>
    public const string CacheControl = "public, max-age=3600";

    public static void MapConnectOpenApi(this WebApplication app)
    {
        // Built once, outside any request, and served as bytes: the framework's own endpoint rebuilds the document
        // on every request (milliseconds of CPU for anyone who asks) and writes the request's Host into servers.
        // A literal path, not "/openapi/{documentName}.json": any other name stays the service's empty 404.
        var document = new Lazy<Task<byte[]>>(() => SerializeAsync(app.Services));
        app.MapGet(DocumentPath, async (HttpContext context) =>
        {
            var bytes = await document.Value;
            context.Response.ContentType = "application/json; charset=utf-8";
            context.Response.Headers.CacheControl = CacheControl;
            context.Response.ContentLength = bytes.Length;
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
        }).ExcludeFromDescription();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference(scalar => scalar.OpenApiRoutePattern = DocumentPath);
        }
    }

    private static async Task<byte[]> SerializeAsync(IServiceProvider services)
    {
        var provider = services.GetRequiredKeyedService<IOpenApiDocumentProvider>(DocumentName);
        var document = await provider.GetOpenApiDocumentAsync(CancellationToken.None);
        var json = await document.SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1, CancellationToken.None);
        return Encoding.UTF8.GetBytes(json);
    }

    /// <summary>
    /// Every action, unless it or its controller says otherwise: the sign-in page's
    /// <c>[ApiExplorerSettings(IgnoreApi = true)]</c> is on its controller, which this used to override.
    /// </summary>
    private sealed class DocumentEveryAction : IActionModelConvention
    {
        public void Apply(ActionModel action) => action.ApiExplorer.IsVisible ??= action.Controller.ApiExplorer.IsVisible ?? true;
    }
}
