using Connect.Api;
using System.Text.Json;
using Connect.Application.Administration.CreateAccount;
using Connect.Application.Inquiries;
using Connect.Application.RealizeInquiry;
using Connect.Application.SigningKeys;
using Connect.Cli.Demo;
using System.Text.RegularExpressions;
using Connect.Testing.Postgres;
using Connect.Testing.SessionTokens;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Cli.Tests;

public sealed class DemoTests
{
    [Fact]
    public async Task Demo_revokes_three_sessions_over_real_http_and_the_repeat_revokes_none()
    {
        await using var service = await StartServiceAsync();
        using var http = new HttpClient { BaseAddress = new Uri(service.Urls.First()) };
        using var output = new StringWriter();
        using var demo = new RevokeAllDemo(service.Services.GetRequiredService<IMediator>(), http, TimeProvider.System, output);

        var (first, repeat) = await demo.RunAsync(CancellationToken.None);
        var printed = output.ToString();
        var anchor = Regex.Match(printed, "Registered application '([^']+)'").Groups[1].Value;
        var accessToken = Regex.Match(printed, @"accessToken:\s+(\S+)").Groups[1].Value;
        var refreshToken = Regex.Match(printed, @"refreshToken:\s+(\S+)").Groups[1].Value;
        var accessVerifies = await JwksCheck.VerifiesAsync(http, anchor, accessToken);
        var refreshVerifies = await JwksCheck.VerifiesAsync(http, anchor, refreshToken);
        await service.StopAsync();

        Assert.Equal((3, 0), (first, repeat));
        Assert.True(accessVerifies, "the demo's access token verifies against the application's JWKS");
        Assert.True(refreshVerifies, "the demo's refresh token verifies against the application's JWKS");
        Assert.Contains("Authorization: SudomimusClientJWT ey", printed, StringComparison.Ordinal);
        Assert.Contains("""JWT header:  {"alg":"RS256","typ":"JWT","kid":""", printed, StringComparison.Ordinal);
        Assert.Contains("\"aud\":\"sudomimus-connect\"", printed, StringComparison.Ordinal);
        Assert.Contains("\"body_sha256\":", printed, StringComparison.Ordinal);
        Assert.Contains("""{"revokedCount":3}""", printed, StringComparison.Ordinal);
        Assert.Contains("""{"revokedCount":0}""", printed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_in_demo_prints_a_sign_in_url_and_redeems_the_session_once_the_person_signed_in()
    {
        await using var service = await StartServiceAsync();
        using var http = new HttpClient { BaseAddress = new Uri(service.Urls.First()) };
        using var output = new StringWriter();
        var mediator = service.Services.GetRequiredService<IMediator>();
        using var revokeAll = new RevokeAllDemo(mediator, http, TimeProvider.System, output);
        await revokeAll.RunAsync(CancellationToken.None);
        var demo = new SignInDemo(http, TimeProvider.System, output, "http://localhost:5080") { PollEvery = TimeSpan.FromMilliseconds(50) };

        var inquiry = await demo.EstablishAsync(revokeAll.Registered!, CancellationToken.None);
        var redeeming = demo.RedeemWhenRealizedAsync(inquiry, CancellationToken.None);
        var account = (await mediator.Send(new CreateAccountCommand())).Value!.Account;
        var realized = await mediator.Send(new RealizeInquiryCommand(inquiry.ExposureKey, account, RealizationMethod.Operator));
        var redeemed = await redeeming.WaitAsync(TimeSpan.FromMinutes(1));
        using var answer = JsonDocument.Parse(redeemed!);
        var accessToken = answer.RootElement.GetProperty("accessToken").GetString()!;
        var verifies = await JwksCheck.VerifiesAsync(http, revokeAll.Registered!.Anchor, accessToken);
        await service.StopAsync();

        Assert.True(realized.Realized, realized.Explanation);
        Assert.Equal($"http://localhost:5080/sign-in?exposure-key={inquiry.ExposureKey}", inquiry.SignInUrl);
        Assert.Contains(inquiry.SignInUrl!, output.ToString(), StringComparison.Ordinal);
        Assert.Contains("\"applicationAnchor\":\"" + revokeAll.Registered.Anchor + "\"", output.ToString(), StringComparison.Ordinal);
        Assert.True(verifies, "the redeemed access token verifies against the application's JWKS");
    }

    /// <summary>The real service on a free loopback port, over a database of its own, as <c>./connect up</c> serves it.</summary>
    private static async Task<WebApplication> StartServiceAsync()
    {
        var connectionString = await PostgresServer.CreateMigratedDatabaseAsync();
        var service = ConnectWebApplication.Create([], builder =>
        {
            builder.Configuration["ConnectionStrings:Connect"] = connectionString;
            builder.Configuration["Connect:SigningKeys:KeyEncryptionKey"] = SigningKeyEncryption.NewKeyEncryptionKey();
            builder.Configuration["Urls"] = "http://127.0.0.1:0";
        });
        await service.StartAsync();
        return service;
    }
}
