using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Connect.Testing;

namespace Connect.Api.Tests.OpenApi;

/// <summary>
/// docs/openapi.json is the document the service serves, committed so that a reader (and a client generator) has it
/// without running anything. A change to an endpoint that does not update it fails here; regenerate it with
/// <c>CONNECT_WRITE_OPENAPI=1 dotnet test tests/Connect.Api.Tests --filter CommittedOpenApiTests</c> and review the diff.
/// </summary>
public sealed class CommittedOpenApiTests
{
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    [Fact]
    public async Task Served_document_equals_docs_openapi_json()
    {
        await using var api = await ConnectApi.StartAsync(new ConnectApiOptions { ConnectionString = ConnectApi.NoDatabase });
        var served = JsonNode.Parse(await api.Client.GetStringAsync("/openapi/v1.json"))!;
        var path = Checkout.PathOf("docs", "openapi.json");

        if (Environment.GetEnvironmentVariable("CONNECT_WRITE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(path, served.ToJsonString(Indented) + "\n");
        }

        var committed = JsonNode.Parse(await File.ReadAllTextAsync(path));
        Assert.True(
            JsonNode.DeepEquals(served, committed),
            "docs/openapi.json differs from the served document; regenerate it as this test's summary says and review the diff");
    }
}
