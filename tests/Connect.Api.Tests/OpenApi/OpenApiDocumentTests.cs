using System.Globalization;
using System.Net;
using System.Text.Json;
using Connect.Api.Endpoints;
using Connect.Domain.Outcomes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Api.Tests.OpenApi;

public sealed class OpenApiDocumentTests : IAsyncLifetime
{
    private readonly ConnectApi _api = new(NoDatabase());
    private JsonDocument _document = null!;

    public async Task InitializeAsync()
    {
        await _api.InitializeAsync();
        var response = await _api.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        _document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    public async Task DisposeAsync()
    {
        _document.Dispose();
        await _api.DisposeAsync();
    }

    private JsonElement Root => _document.RootElement;

    private JsonElement RevokeAll => Root.GetProperty("paths").GetProperty("/revoke-all").GetProperty("post");

    [Fact]
    public void Document_is_OpenAPI_3_1_and_describes_both_endpoints()
    {
        Assert.StartsWith("3.1", Root.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.True(Root.GetProperty("paths").TryGetProperty("/health", out var health));
        Assert.True(health.TryGetProperty("get", out _));
        Assert.Equal(JsonValueKind.Object, RevokeAll.ValueKind);
    }

    [Theory]
    [InlineData("/health", "get", "health")]
    [InlineData("/applications/{anchor}/jwks.json", "get", "applicationJwks")]
    [InlineData("/refresh", "post", "refresh")]
    [InlineData("/introspect", "post", "introspect")]
    [InlineData("/userinfo", "get", "userinfo")]
    [InlineData("/claim-state", "get", "claimState")]
    [InlineData("/logout", "post", "logout")]
    [InlineData("/revoke-all", "post", "revokeAll")]
    [InlineData("/establish", "post", "establish")]
    [InlineData("/status-poll", "post", "statusPoll")]
    [InlineData("/redeem", "post", "redeem")]
    [InlineData("/info", "post", "info")]
    public void Every_endpoint_carries_the_upstream_operation_id(string path, string method, string operationId) =>
        Assert.Equal(operationId, Root.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("operationId").GetString());

    [Fact]
    public void Redeem_lists_ApplicationNotFound_under_400_and_info_under_404()
    {
        static IEnumerable<string> Reasons(JsonElement operation, string status) =>
            operation.GetProperty("responses").GetProperty(status).GetProperty("content").GetProperty("application/json")
                .GetProperty("schema").GetProperty("properties").GetProperty("reason").GetProperty("enum").EnumerateArray()
                .Select(name => name.GetString()!);
        var paths = Root.GetProperty("paths");

        Assert.Contains("ApplicationNotFound", Reasons(paths.GetProperty("/redeem").GetProperty("post"), "400"));
        Assert.False(paths.GetProperty("/redeem").GetProperty("post").GetProperty("responses").TryGetProperty("404", out _));
        Assert.Contains("ApplicationNotFound", Reasons(paths.GetProperty("/info").GetProperty("post"), "404"));
    }

    [Fact]
    public async Task Document_is_built_once_and_served_with_a_cache_header()
    {
        var builds = 0;
        await using var api = await ConnectApi.StartAsync(NoDatabase(services: services =>
            services.Configure<OpenApiOptions>("v1", options => options.AddDocumentTransformer((_, _, _) =>
            {
                Interlocked.Increment(ref builds);
                return Task.CompletedTask;
            }))));
        var client = api.NewClient();

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 5; i++)
        {
            answers.Add(await client.GetAsync("/openapi/v1.json"));
        }

        Assert.Equal(1, builds);
        Assert.All(answers, answer => Assert.Equal("public, max-age=3600", answer.Headers.CacheControl?.ToString()));
        Assert.All(answers, answer => Assert.Equal("application/json; charset=utf-8", answer.Content.Headers.ContentType?.ToString()));
        Assert.Single((await Task.WhenAll(answers.Select(answer => answer.Content.ReadAsStringAsync()))).Distinct());
    }

    [Fact]
    public async Task Servers_never_echo_the_request_Host()
    {
        await using var api = await ConnectApi.StartAsync(NoDatabase(new Dictionary<string, string?> { ["AllowedHosts"] = "*" }));
        var client = api.NewClient();
        client.BaseAddress = new Uri("http://attacker.example/");

        var text = await client.GetStringAsync("/openapi/v1.json");

        Assert.DoesNotContain("attacker.example", text, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(text);
        Assert.True(
            !document.RootElement.TryGetProperty("servers", out var servers) || servers.GetArrayLength() == 0,
            "no server is named unless one is configured");
    }

    [Fact]
    public async Task Servers_name_the_configured_public_URL()
    {
        await using var api = await ConnectApi.StartAsync(NoDatabase(new Dictionary<string, string?> { ["Connect:OpenApi:ServerUrl"] = "https://connect.example.org" }));

        using var document = JsonDocument.Parse(await api.Client.GetStringAsync("/openapi/v1.json"));

        var server = Assert.Single(document.RootElement.GetProperty("servers").EnumerateArray());
        Assert.Equal("https://connect.example.org", server.GetProperty("url").GetString());
    }

    [Fact]
    public async Task A_request_for_another_host_is_refused_by_default()
    {
        var client = _api.NewClient();
        client.BaseAddress = new Uri("http://attacker.example/");

        var response = await client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public void Health_answer_documents_both_generations_fields()
    {
        var health = Root.GetProperty("components").GetProperty("schemas").GetProperty("HealthResponse");

        var required = health.GetProperty("required").EnumerateArray().Select(name => name.GetString()).Order().ToList();
        Assert.Equal(["ready", "service", "status", "version"], required);
        var status = health.GetProperty("properties").GetProperty("status").GetProperty("enum");
        Assert.Equal(["ok", "unavailable"], status.EnumerateArray().Select(value => value.GetString()).ToList());
    }

    [Fact]
    public void Revoke_all_requires_the_SudomimusClientJWT_scheme_which_states_the_claim_rules()
    {
        var scheme = Root.GetProperty("components").GetProperty("securitySchemes").GetProperty("SudomimusClientJWT");
        var requirement = Assert.Single(RevokeAll.GetProperty("security").EnumerateArray());

        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("SudomimusClientJWT", scheme.GetProperty("scheme").GetString());
        var description = scheme.GetProperty("description").GetString()!;
        foreach (var rule in new[] { "iss", "aud", "iat", "exp", "jti", "body_sha256", "RS256", "30 s", "at most 60" })
        {
            Assert.Contains(rule, description, StringComparison.Ordinal);
        }

        Assert.True(requirement.TryGetProperty("SudomimusClientJWT", out _));
    }

    [Fact]
    public void Revoke_all_request_is_a_required_subject_of_1_to_255_characters()
    {
        var schema = RevokeAll.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        var subject = schema.GetProperty("properties").GetProperty("subject");

        Assert.Equal(["subject"], schema.GetProperty("required").EnumerateArray().Select(name => name.GetString()));
        Assert.Equal("string", subject.GetProperty("type").GetString());
        Assert.Equal((1, 255), (subject.GetProperty("minLength").GetInt32(), subject.GetProperty("maxLength").GetInt32()));
    }

    [Fact]
    public void Revoke_all_200_is_an_integer_revokedCount()
    {
        var schema = Resolve(Response("200").GetProperty("content").GetProperty("application/json").GetProperty("schema"));

        Assert.Equal("integer", schema.GetProperty("properties").GetProperty("revokedCount").GetProperty("type").GetString());
    }

    // docs/contract/revoke-all.md's table, written out here rather than read from the code under test.
    private static readonly ReasonCode[] RevokeAllReasons =
    [
        ReasonCode.InvalidBody, ReasonCode.ClientJwtMissing, ReasonCode.ClientJwtMalformed,
        ReasonCode.ClientJwtAlgorithmRejected, ReasonCode.ClientJwtUnknownApplication,
        ReasonCode.ClientJwtInvalidSignature, ReasonCode.ClientJwtAudienceMismatch, ReasonCode.ClientJwtExpired,
        ReasonCode.ClientJwtNotYetValid, ReasonCode.ClientJwtLifetimeTooLong, ReasonCode.ClientJwtReplayed,
        ReasonCode.ClientJwtBodyHashMismatch, ReasonCode.ApplicationDisabled, ReasonCode.BodyTooLarge,
        ReasonCode.UnsupportedMediaType, ReasonCode.RateLimited, ReasonCode.ServiceUnavailable,
        ReasonCode.InternalError,
    ];

    [Fact]
    public void Every_reason_code_is_listed_under_the_status_it_answers_with()
    {
        foreach (var reason in RevokeAllReasons)
        {
            var response = Response(reason.Status.ToString(CultureInfo.InvariantCulture));
            if (reason.IsPrivate)
            {
                Assert.False(response.TryGetProperty("content", out _), $"{reason} answers a zero-byte body");
                continue;
            }

            var names = response.GetProperty("content").GetProperty("application/json").GetProperty("schema")
                .GetProperty("properties").GetProperty("reason").GetProperty("enum").EnumerateArray()
                .Select(name => name.GetString());
            Assert.Contains(reason.Name, names);
        }
    }

    [Fact]
    public void Revoke_all_lists_only_its_own_reasons_and_statuses()
    {
        // The session lifecycle's reasons (docs/contract/sessions.md, "Errors") are in the one table but are not answered here.
        var statuses = RevokeAll.GetProperty("responses").EnumerateObject().Select(response => response.Name).Where(status => status != "200");
        var listed = RevokeAll.GetProperty("responses").EnumerateObject()
            .Where(response => response.Value.TryGetProperty("content", out var content) && response.Name != "200"
                && content.GetProperty("application/json").GetProperty("schema").TryGetProperty("properties", out _))
            .SelectMany(response => response.Value.GetProperty("content").GetProperty("application/json").GetProperty("schema")
                .GetProperty("properties").GetProperty("reason").GetProperty("enum").EnumerateArray())
            .Select(name => name.GetString());

        Assert.Equal(
            RevokeAllReasons.Select(reason => reason.Status.ToString(CultureInfo.InvariantCulture)).Distinct().Order(StringComparer.Ordinal),
            statuses.Order(StringComparer.Ordinal));
        Assert.Equal(
            RevokeAllReasons.Where(reason => !reason.IsPrivate).Select(reason => reason.Name).Order(StringComparer.Ordinal),
            listed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Jwks_documents_its_404_and_its_summary_from_its_own_declarations()
    {
        var jwks = Root.GetProperty("paths").GetProperty("/applications/{anchor}/jwks.json").GetProperty("get");

        Assert.Equal("The application's token-signing keys", jwks.GetProperty("summary").GetString());
        Assert.Equal(
            ["ApplicationNotFound"],
            jwks.GetProperty("responses").GetProperty("404").GetProperty("content").GetProperty("application/json").GetProperty("schema")
                .GetProperty("properties").GetProperty("reason").GetProperty("enum").EnumerateArray().Select(name => name.GetString()));
        Assert.False(jwks.TryGetProperty("security", out _), "the JWKS is public");
        Assert.False(jwks.TryGetProperty("requestBody", out _));
    }

    [Fact]
    public void Statuses_that_ask_the_client_to_wait_document_Retry_After()
    {
        Assert.True(Response("429").GetProperty("headers").TryGetProperty("Retry-After", out _));
        Assert.True(Response("503").GetProperty("headers").TryGetProperty("Retry-After", out _));
        Assert.True(Response("401").GetProperty("headers").TryGetProperty("WWW-Authenticate", out _));
    }

    [Fact]
    public async Task Other_document_names_stay_an_empty_404()
    {
        var response = await _api.GetAsync("/openapi/v2.json");

        await ApiAssert.EmptyAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Reference_page_is_served_in_Development_only()
    {
        await using var production = await ConnectApi.StartAsync(NoDatabase(new Dictionary<string, string?> { ["environment"] = "Production" }));

        var development = await _api.GetAsync("/scalar/v1");
        var inProduction = await production.GetAsync("/scalar/v1");

        Assert.Equal(HttpStatusCode.OK, development.StatusCode);
        await ApiAssert.EmptyAsync(inProduction, HttpStatusCode.NotFound);
    }

    // The document is built from the code alone; no request here reaches the database.
    private static ConnectApiOptions NoDatabase(IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null) =>
        new() { ConnectionString = ConnectApi.NoDatabase, Settings = settings ?? new Dictionary<string, string?>(), Services = services };

    private JsonElement Response(string status) => RevokeAll.GetProperty("responses").GetProperty(status);

    private JsonElement Resolve(JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference)
            ? Root.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1])
            : schema;
}
