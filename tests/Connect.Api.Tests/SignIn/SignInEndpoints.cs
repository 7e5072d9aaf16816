using System.Net;
using Connect.Application.Inquiries;
using Connect.Application.RealizeInquiry;
using Connect.Application.SigningKeys;
using Connect.Domain.Accounts;
using Connect.Testing.Seeding;
using Dapper;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Connect.Api.Tests.SignIn;

/// <summary>
/// The <see cref="ConnectApi"/> fixture in memory, for the sign-in endpoints. Its clock is a fake at a whole second
/// near the real time (client JWTs are minted on it too), and a second instance on the same database and
/// key-encryption key can be started for the races that span instances. Tests register the applications they need.
/// </summary>
public sealed class SignInEndpoints() : ConnectApi(new ConnectApiOptions
{
    Unthrottled = true,
    Clock = StillClock(),
    SeedApplication = false,
    Settings = new Dictionary<string, string?>
    {
        ["Connect:SigningKeys:KeyEncryptionKey"] = SigningKeyEncryption.NewKeyEncryptionKey(),
        // Every request here comes from the one test client: a poll to the inquiry's 600th must not meet its budget.
        ["Connect:RateLimit:AddressBurstLimit"] = "100000",
    },
})
{
    public const string CallbackHost = "shop.example";

    /// <summary>The official client's calls, signed on the fake clock.</summary>
    public SignInClient SignIn { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        SignIn = new SignInClient(Client, Clock.GetUtcNow);
    }

    /// <summary>Another instance of the service on the same database, keys and clock.</summary>
    public HttpClient SecondInstance() => StartInstance().Client;

    /// <summary>A new application whose callbacks may go to <see cref="CallbackHost"/> and loopback.</summary>
    public async Task<TestApplication> RegisterAsync()
    {
        var app = await Db.RegisterApplicationAsync();
        await ExecuteAsync(
            "UPDATE applications SET callback_hosts = ARRAY['shop.example', 'localhost', '127.0.0.1'] WHERE id = @Id",
            new { Id = app.Id.Value });
        return app;
    }

    public async Task<EstablishAnswer> EstablishAsync(TestApplication app, EstablishBody? body = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        var response = await SignIn.EstablishAsync(app.Anchor.Value, app.Key, body ?? new EstablishBody(app.Anchor.Value));
        return await SignInClient.ReadAsync<EstablishAnswer>(response);
    }

    /// <summary>Realizes the inquiry as the sign-in page does once a passkey verified.</summary>
    public async Task<RealizeInquiryResult> RealizeAsync(string exposureKey, AccountId account) =>
        await Services.GetRequiredService<IMediator>()
            .Send(new RealizeInquiryCommand(exposureKey, account, RealizationMethod.Passkey));

    /// <summary>An inquiry established, realized by a new account of the application's sector, and its confirmation key.</summary>
    public async Task<RealizedInquiry> RealizedInquiryAsync(TestApplication app, EstablishBody? body = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        var inquiry = await EstablishAsync(app, body);
        var (account, subject) = await Db.CreateAccountWithSubjectAsync(app.Sector);
        Assert.True((await RealizeAsync(inquiry.ExposureKey, account)).Realized);
        var poll = await SignInClient.ReadAsync<StatusPollAnswer>(await SignIn.StatusPollAsync(inquiry.ExposureKey, inquiry.HiddenKey));
        return new RealizedInquiry(inquiry, account, subject.Value, Assert.IsType<Realized>(poll).ConfirmationKey);
    }

    public async Task ExecuteAsync(string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(Db.ConnectionString);
        await connection.ExecuteAsync(sql, parameters);
    }

    public async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(Db.ConnectionString);
        return (await connection.ExecuteScalarAsync<T>(sql, parameters))!;
    }

    /// <summary>Everything a sign-in request could change, as one comparable text.</summary>
    public Task<string> SnapshotAsync() => ScalarAsync<string>("""
        SELECT coalesce((SELECT string_agg(concat_ws('|', exposure_key, account_id, realized_at, redeemed_at, polls), ',' ORDER BY id) FROM inquiries), '')
            || '#' || (SELECT count(*) FROM sessions) || '#' || (SELECT count(*) FROM revocation_audit)
        """);
}

/// <param name="Subject">The account's subject in the application's sector.</param>
public sealed record RealizedInquiry(EstablishAnswer Inquiry, AccountId Account, string Subject, string ConfirmationKey);

/// <summary>Exact answers of the sign-in endpoints.</summary>
internal static class SignInAssert
{
    public static async Task ReasonAsync(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        Assert.Equal((status, $$"""{"reason":"{{reason}}"}"""), (response.StatusCode, await response.Content.ReadAsStringAsync()));
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
    }

    public static void CarriesNoStoreNoCache(HttpResponseMessage response)
    {
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("no-cache", response.Headers.Pragma.ToString());
    }
}
