using System.Net;
using System.Net.Http.Headers;
using Connect.Testing.ClientJwts;
using Connect.Testing.Seeding;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Api.Tests.Resilience;

/// <summary>
/// Stopping the host (what SIGTERM does through the console lifetime) lets in-flight requests finish and
/// refuses new ones, on the real Kestrel server.
/// </summary>
public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task Stop_lets_the_in_flight_revocation_finish_and_refuses_new_connections()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var (account, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
        await db.IssueSessionsAsync(account, app.Id, 12);
        await using var service = ConnectWebApplication.Create([], builder =>
        {
            builder.Configuration["ConnectionStrings:Connect"] = db.ConnectionString;
            builder.Configuration["Urls"] = "http://127.0.0.1:0";
        });
        await service.StartAsync();
        var address = new Uri(service.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        using var client = new HttpClient { BaseAddress = address };
        await using var blocker = await RevocationBlocker.LockOneTokenAsync(db.ConnectionString, account);

        var inFlight = client.SendAsync(Signed(app, subject.Value));
        await blocker.WaitForBlockedRevocationAsync();
        var stopping = service.StopAsync();
        await Task.Delay(300);
        using var newcomer = new HttpClient { BaseAddress = address };
        var refused = await Record.ExceptionAsync(() => newcomer.GetAsync("/health"));
        await blocker.ReleaseAsync();
        var finished = await inFlight;
        await stopping;

        Assert.IsType<HttpRequestException>(refused);
        await ApiAssert.RevokedAsync(finished, 12);
        Assert.Equal(new(0, 12, 0), await db.CountSessionsAsync(account, app.Id));
    }

    private static HttpRequestMessage Signed(TestApplication app, string subject)
    {
        var body = RevokeAllBodies.For(subject);
        var request = new HttpRequestMessage(HttpMethod.Post, "/revoke-all") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(
            "Authorization", new TestClientJwt(app.Anchor.Value, app.Key, DateTimeOffset.UtcNow, body).AuthorizationHeader());
        return request;
    }
}
