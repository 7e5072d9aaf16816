using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Connect.Application.Administration;
using Connect.Application.SessionTokens;
using Connect.Application.Signals;
using Connect.Application.SigningKeys;
using Connect.Benchmarks.Data;
using Connect.Benchmarks.Load;
using Connect.Benchmarks.Signals;
using Connect.Domain.Applications;
using Connect.Domain.Signals;
using Connect.Infrastructure.Postgres;
using Connect.Testing.Postgres;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Connect.Benchmarks.Tests.Signals;

/// <summary>
/// The signals runs' wiring on a real PostgreSQL: the receivers the harness registers are the ones the revoking
/// statement writes signals for, a real CAEP token pushed to a receiver's URL is logged under its application and
/// subject, and that key finds the revocation's commit time, which is the signal's own committed_at.
/// </summary>
public sealed class LoopbackReceiverTests : IAsyncLifetime
{
    // The arithmetic gives an account distinct applications only over 1,000 of them (DataShape.ApplicationOf).
    private static readonly DataShape Shape = new("bench_signals", 2, 1000);

    private readonly string _keyEncryptionKey = SigningKeyEncryption.NewKeyEncryptionKey();
    private Dataset _data = null!;
    private LoopbackReceiver _receiver = null!;
    private readonly HttpClient _client = new();

    public async Task InitializeAsync()
    {
        var connectionString = await PostgresServer.CreateMigratedDatabaseAsync(CancellationToken.None);
        using var rsa = RSA.Create(2048);
        using var signingKeys = await SigningKeyPool.CreateAsync(2, _keyEncryptionKey, CancellationToken.None);
        await Seeder.SeedAsync(
            connectionString, Shape, [ClientPublicKey.FromSubjectPublicKeyInfo(rsa.ExportSubjectPublicKeyInfo())], signingKeys, CancellationToken.None);
        _data = new Dataset(Shape, rearmed: true, connectionString, PostgresServer.ServiceConnectionString(connectionString));
        _receiver = await LoopbackReceiver.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task A_revocation_signals_the_registered_receiver_and_its_acceptance_finds_the_revocations_commit()
    {
        await Harness.AddReceiversAsync(_data, _receiver, CancellationToken.None);
        var application = DataShape.ApplicationId(Shape.ApplicationOf(0));
        var subject = DataShape.Subject(0);
        var since = await ScalarAsync<DateTime>("SELECT clock_timestamp()");

        Assert.Equal(DataShape.TokensOf(0), await RevokeAllAsync(application, subject));

        var signal = await SignalAsync();
        Assert.Equal(_receiver.UrlBase + application, signal.Url);
        Assert.Equal(subject, signal.Subject);
        var commits = await Harness.CommitTimesAsync(_data, since, CancellationToken.None);
        Assert.Equal(signal.CommittedAt, Assert.Single(commits, commit => commit.Key == (application, subject)).Value);

        using var answer = await PushAsync(signal.Url, CaepToken(application, subject));

        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        var accepted = Assert.Single(_receiver.TakeLog());
        Assert.Equal((application, subject), (accepted.Application, accepted.Subject));
        Assert.True(accepted.AcceptedAtUtc >= commits[(application, subject)]);
        Assert.Empty(_receiver.TakeLog());
    }

    [Fact]
    public async Task Every_application_signs_its_signals_with_its_seeded_key_and_none_is_created_or_extended()
    {
        var application = new AppId(DataShape.ApplicationId(Shape.ApplicationOf(0)));
        var revisions = await ScalarAsync<string>("SELECT string_agg(DISTINCT revision::text, ',') FROM applications");
        await using var database = NpgsqlDataSource.Create(_data.ServiceConnectionString);
        var encryption = new SigningKeyEncryption(Options.Create(new SigningKeyOptions { KeyEncryptionKey = _keyEncryptionKey }));
        var ring = new SigningKeyRing(
            new PostgresSigningKeyStore(database), encryption, new SigningKeyFactory(encryption), TimeProvider.System, Options.Create(new SigningKeyOptions()));

        // As the delivery worker asks for a signal token's key: valid for minutes, not days.
        var key = await ring.GetCurrentSigningKeyAsync(application, DateTimeOffset.UtcNow.AddMinutes(10), CancellationToken.None);

        Assert.NotNull(key);
        Assert.Equal(1L, await ScalarAsync<long>($"SELECT count(*) FROM signing_keys WHERE application_id = '{application.Value}'"));
        Assert.Equal(
            await ScalarAsync<string>($"SELECT key_id FROM signing_keys WHERE application_id = '{application.Value}'"), key.KeyId);
        Assert.DoesNotContain(",", revisions);
        Assert.Equal(revisions, await ScalarAsync<string>("SELECT string_agg(DISTINCT revision::text, ',') FROM applications"));
        Assert.Equal((long)Shape.Applications, await ScalarAsync<long>("SELECT count(DISTINCT application_id) FROM signing_keys"));
    }

    [Fact]
    public async Task Once_the_receivers_are_removed_a_revocation_writes_no_signal()
    {
        await Harness.AddReceiversAsync(_data, _receiver, CancellationToken.None);
        await Harness.RemoveReceiversAsync(_data, CancellationToken.None);

        Assert.Equal(DataShape.TokensOf(1), await RevokeAllAsync(DataShape.ApplicationId(Shape.ApplicationOf(1)), DataShape.Subject(1)));

        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM signals"));
    }

    [Fact]
    public async Task What_is_not_a_subject_wide_token_is_refused_and_not_logged()
    {
        using var garbage = await PushAsync(_receiver.UrlBase + Guid.NewGuid(), "not.a-token");

        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        Assert.Equal(1, _receiver.Refused);
        Assert.Empty(_receiver.TakeLog());
    }

    private async Task<HttpResponseMessage> PushAsync(string url, string token)
    {
        using var content = new StringContent(token);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/secevent+jwt");
        return await _client.PostAsync(new Uri(url), content);
    }

    /// <summary>A session-revoked SET as the service mints it, with a throwaway key (the receiver does not verify).</summary>
    private static string CaepToken(Guid application, string subject)
    {
        var codec = new SessionTokenCodec(TimeProvider.System, Options.Create(new SessionTokenOptions { Issuer = "https://connect.test" }));
        var minter = new SignalTokenMinter(TimeProvider.System, codec);
        using var key = RSA.Create(2048);
        var signal = new DueSignal(
            new SignalLease(1, "bench", 1), new ReceiverId(Guid.NewGuid()), new AppId(application), "http://127.0.0.1/", SignalFormat.Caep,
            "anchor", subject, null, InitiatingEntity.Admin, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
        return minter.Mint(signal, new TokenSigningKey("kid", key));
    }

    private async Task<int> RevokeAllAsync(Guid application, string subject)
    {
        await using var connection = new NpgsqlConnection(_data.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var find = new NpgsqlCommand("SELECT sector_id FROM applications WHERE id = @Application", connection);
        find.Parameters.AddWithValue("Application", application);
        var sector = (Guid)(await find.ExecuteScalarAsync())!;
        await using var revoke = new NpgsqlCommand(PostgresRefreshTokenRevoker.RevokeAllActiveSql, connection);
        revoke.Parameters.AddWithValue("Sector", sector);
        revoke.Parameters.AddWithValue("Subject", subject);
        revoke.Parameters.AddWithValue("Application", application);
        return (int)(await revoke.ExecuteScalarAsync())!;
    }

    private async Task<(string Url, string Subject, DateTime CommittedAt)> SignalAsync()
    {
        await using var connection = new NpgsqlConnection(_data.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand(
            "SELECT r.url, s.subject, s.committed_at FROM signals s JOIN signal_receivers r ON r.id = s.receiver_id", connection);
        await using var rows = await query.ExecuteReaderAsync();
        Assert.True(await rows.ReadAsync());
        var signal = (rows.GetString(0), rows.GetString(1), rows.GetFieldValue<DateTime>(2));
        Assert.False(await rows.ReadAsync());
        return signal;
    }

    private async Task<T> ScalarAsync<T>(string sql) =>
        await BenchCluster.ScalarAsync<T>(_data.SuperuserConnectionString, sql, CancellationToken.None);
}
