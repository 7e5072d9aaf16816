using System.Text;
using System.Text.Json;
using Connect.Application.SessionTokens;
using Connect.Application.SigningKeys;
using Connect.Benchmarks.Data;
using Connect.Benchmarks.Hosting;
using Connect.Testing.Postgres;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Connect.Benchmarks.Tests.Hosting;

/// <summary>
/// The redeem runs' data and twin on a real PostgreSQL: a seeded inquiry is realized and redeemable once, the twin
/// redeems it as the contract says (one session, then InquiryAlreadyRedeemed), the read-back counts the session, and
/// the re-arm makes every inquiry redeemable again without leaving the session behind.
/// </summary>
public sealed class HandwrittenRedeemTests : IAsyncLifetime
{
    // The arithmetic gives an account distinct applications only over 1,000 of them (DataShape.ApplicationOf).
    private static readonly DataShape Shape = new("bench_redeem", 2, 1000);

    private readonly string _keyEncryptionKey = SigningKeyEncryption.NewKeyEncryptionKey();
    private string _connectionString = "";
    private LifecycleData _data = null!;
    private NpgsqlDataSource _database = null!;
    private HandwrittenRedeem _redeem = null!;

    public async Task InitializeAsync()
    {
        _connectionString = await PostgresServer.CreateMigratedDatabaseAsync(CancellationToken.None);
        using (var signingKeys = await SigningKeyPool.CreateAsync(1, _keyEncryptionKey, CancellationToken.None))
        {
            (_data, _) = await LifecycleData.SeedAsync(_connectionString, Shape, signingKeys, CancellationToken.None);
        }

        _database = NpgsqlDataSource.Create(PostgresServer.ServiceConnectionString(_connectionString));
        var encryption = new SigningKeyEncryption(Options.Create(new SigningKeyOptions { KeyEncryptionKey = _keyEncryptionKey }));
        var tokens = new SessionTokenCodec(TimeProvider.System, Options.Create(new SessionTokenOptions { Issuer = LifecycleData.Issuer }));
        _redeem = new HandwrittenRedeem(_database, new HandwrittenSigningKeys(_database, encryption), tokens, maxBodyBytes: 4096);

        // As before every batch: the inquiries get their lifetime.
        await ExecuteAsync(LifecycleData.RedeemRearmSql);
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task A_seeded_inquiry_is_redeemed_once_for_a_session_of_its_pair()
    {
        var keys = _data.Inquiries[7];

        var (status, body) = await RedeemAsync(keys.ExposureKey, keys.HiddenKey, keys.ConfirmationKey);

        Assert.Equal(200, status);
        using var answer = JsonDocument.Parse(body);
        Assert.Equal(DataShape.Anchor(Shape.ApplicationOf(7)), answer.RootElement.GetProperty("applicationAnchor").GetString());
        Assert.False(string.IsNullOrEmpty(answer.RootElement.GetProperty("accessToken").GetString()));
        Assert.False(string.IsNullOrEmpty(answer.RootElement.GetProperty("refreshToken").GetString()));
        Assert.Equal(JsonValueKind.Object, answer.RootElement.GetProperty("claims").ValueKind);
        Assert.Equal(1, await ScalarAsync(LifecycleData.RedeemedSql));

        var again = await RedeemAsync(keys.ExposureKey, keys.HiddenKey, keys.ConfirmationKey);

        Assert.Equal((400, """{"reason":"InquiryAlreadyRedeemed"}"""), again);
        Assert.Equal(1, await ScalarAsync(LifecycleData.RedeemedSql));
    }

    [Fact]
    public async Task The_rearm_makes_the_inquiry_redeemable_again_and_removes_the_session_it_began()
    {
        var keys = _data.Inquiries[3];
        var sessionsBefore = await ScalarAsync("SELECT count(*) FROM sessions");
        Assert.Equal(200, (await RedeemAsync(keys.ExposureKey, keys.HiddenKey, keys.ConfirmationKey)).Status);
        Assert.Equal(sessionsBefore + 1, await ScalarAsync("SELECT count(*) FROM sessions"));

        await ExecuteAsync(LifecycleData.RedeemRearmSql);

        Assert.Equal(sessionsBefore, await ScalarAsync("SELECT count(*) FROM sessions"));
        Assert.Equal(0, await ScalarAsync(LifecycleData.RedeemedSql));
        Assert.Equal(200, (await RedeemAsync(keys.ExposureKey, keys.HiddenKey, keys.ConfirmationKey)).Status);
        Assert.Equal(1, await ScalarAsync(LifecycleData.RedeemedSql));
    }

    [Fact]
    public async Task A_wrong_confirmation_key_is_as_good_as_no_inquiry()
    {
        var keys = _data.Inquiries[0];

        var answer = await RedeemAsync(keys.ExposureKey, keys.HiddenKey, _data.Inquiries[1].ConfirmationKey);

        Assert.Equal((400, """{"reason":"InquiryNotFound"}"""), answer);
        Assert.Equal(0, await ScalarAsync(LifecycleData.RedeemedSql));
    }

    [Fact]
    public async Task An_unknown_member_is_refused_as_the_service_refuses_it()
    {
        var keys = _data.Inquiries[0];
        var body = $$"""{"exposureKey":"{{keys.ExposureKey}}","hiddenKey":"{{keys.HiddenKey}}","confirmationKey":"{{keys.ConfirmationKey}}","extra":1}""";

        Assert.Equal((400, """{"reason":"InvalidBody"}"""), await PostAsync(body));
    }

    private Task<(int Status, string Body)> RedeemAsync(string exposure, string hidden, string confirmation) =>
        PostAsync($$"""{"exposureKey":"{{exposure}}","hiddenKey":"{{hidden}}","confirmationKey":"{{confirmation}}"}""");

    private async Task<(int Status, string Body)> PostAsync(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.ContentType = "application/json";
        context.Request.ContentLength = bytes.Length;
        context.Request.Body = new MemoryStream(bytes);
        using var response = new MemoryStream();
        context.Response.Body = response;

        await _redeem.RedeemAsync(context);

        return (context.Response.StatusCode, Encoding.UTF8.GetString(response.ToArray()));
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(CancellationToken.None);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(CancellationToken.None);
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync(CancellationToken.None))!;
    }
}
