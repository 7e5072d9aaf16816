using System.Text;
using Connect.Api.Endpoints;
using Connect.Api.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Connect.Api.Tests.Requests;

/// <summary>The body gate with each endpoint's own limit (docs/contract/revoke-all.md and docs/contract/sessions.md step 1).</summary>
public sealed class RawJsonBodyGateTests
{
    private static readonly EndpointBody TokenEndpoint = new(null, EndpointBody.TokenBodyBytes);

    [Fact]
    public async Task A_4_KiB_session_token_in_its_JSON_object_reaches_the_endpoint_that_takes_tokens()
    {
        var body = Encoding.UTF8.GetBytes($$"""{"refreshToken":"{{new string('a', 4096)}}"}""");

        var (status, passed) = await SendAsync(TokenEndpoint, body);

        Assert.Equal((200, body.Length), (status, passed?.Length));
    }

    [Fact]
    public async Task The_token_endpoint_limit_is_8_KiB_exactly()
    {
        var (atLimit, passed) = await SendAsync(TokenEndpoint, JsonOfLength(8192));
        var (overLimit, refused) = await SendAsync(TokenEndpoint, JsonOfLength(8193));
        var (chunkedOver, _) = await SendAsync(TokenEndpoint, JsonOfLength(8193), sendLength: false);

        Assert.Equal((200, 8192), (atLimit, passed?.Length));
        Assert.Equal((413, (int?)null), (overLimit, refused?.Length));
        Assert.Equal(413, chunkedOver);
    }

    [Fact]
    public async Task An_endpoint_that_names_no_limit_keeps_the_configured_one()
    {
        var (configured, _) = await SendAsync(new EndpointBody(null), JsonOfLength(4097));
        var (raised, passed) = await SendAsync(new EndpointBody(null), JsonOfLength(4097), configuredLimit: 5000);

        Assert.Equal(413, configured);
        Assert.Equal((200, 4097), (raised, passed?.Length));
    }

    [Fact]
    public async Task The_media_type_is_checked_whatever_the_limit()
    {
        var (status, _) = await SendAsync(TokenEndpoint, JsonOfLength(100), contentType: "text/plain");

        Assert.Equal(415, status);
    }

    private static byte[] JsonOfLength(int length) =>
        Encoding.UTF8.GetBytes($$"""{"refreshToken":"{{new string('a', length - 19)}}"}""");

    private static async Task<(int Status, byte[]? Passed)> SendAsync(
        IRawJsonBodyLimit endpoint, byte[] body, bool sendLength = true, string contentType = "application/json", int configuredLimit = 4096)
    {
        byte[]? passed = null;
        var gate = new RawJsonBodyGate(
            context =>
            {
                passed = context.Features.Get<RawJsonBody>()!.Bytes.ToArray();
                context.Response.StatusCode = 200;
                return Task.CompletedTask;
            },
            Options.Create(new RequestLimitsOptions { MaxBodyBytes = configuredLimit }));
        var context = new DefaultHttpContext();
        context.SetEndpoint(new Endpoint(null, new EndpointMetadataCollection(endpoint), "test"));
        context.Request.Method = "POST";
        context.Request.ContentType = contentType;
        context.Request.ContentLength = sendLength ? body.Length : null;
        context.Request.Body = new MemoryStream(body);
        context.Response.Body = new MemoryStream();

        await gate.InvokeAsync(context);

        return (context.Response.StatusCode, passed);
    }
}
