using System.Net.Http.Headers;
using Connect.Testing.ClientJwts;
using Connect.Testing.Seeding;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Api.Tests;

/// <summary>The real service, in memory, over a real PostgreSQL database.</summary>
public sealed class ConnectApiFactory(
    string connectionString,
    IReadOnlyDictionary<string, string?>? settings = null,
    Action<IServiceCollection>? replaceServices = null)
    : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:Connect", connectionString);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        if (replaceServices is not null)
        {
            builder.ConfigureTestServices(replaceServices);
        }
    }

    /// <summary>Sends a signed revoke-all for <paramref name="subject"/>, as the official SDKs would.</summary>
    public Task<HttpResponseMessage> RevokeAllAsync(TestApplication app, string subject, Action<TestClientJwt>? tamper = null) =>
        RevokeAllAsync(app, RevokeAllBodies.For(subject), tamper);

    /// <summary>Sends exactly <paramref name="body"/>, signed over those bytes (then tampered, if asked).</summary>
    public Task<HttpResponseMessage> RevokeAllAsync(TestApplication app, byte[] body, Action<TestClientJwt>? tamper = null)
    {
        var jwt = new TestClientJwt(app.Anchor.Value, app.Key, DateTimeOffset.UtcNow, body);
        tamper?.Invoke(jwt);
        return CreateClient().SendAsync(Request(jwt.AuthorizationHeader(), body));
    }

    public static HttpRequestMessage Request(string? authorization, byte[] body, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/revoke-all") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return request;
    }
}
