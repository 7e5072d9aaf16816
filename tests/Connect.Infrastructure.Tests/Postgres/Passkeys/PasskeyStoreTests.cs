using System.Security.Cryptography;
using Connect.Application.Passkeys;
using Connect.Domain.Accounts;
using Connect.Testing.Seeding;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Connect.Infrastructure.Tests.Postgres.Passkeys;

/// <summary>0013's passkeys, enrollment links and challenges, through their adapters and the real schema.</summary>
public sealed class PasskeyStoreTests : IAsyncLifetime
{
    private ConnectTestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await ConnectTestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private IPasskeyStore Passkeys => _db.Services.GetRequiredService<IPasskeyStore>();

    private IEnrollmentLinks Links => _db.Services.GetRequiredService<IEnrollmentLinks>();

    private IWebAuthnChallengeStore Challenges => _db.Services.GetRequiredService<IWebAuthnChallengeStore>();

    [Fact]
    public async Task Sign_up_creates_the_account_with_its_passkey_and_its_audit_event()
    {
        var passkey = NewPasskey();

        var account = await Passkeys.CreateAccountWithPasskeyAsync(passkey, CancellationToken.None);

        var found = await Passkeys.FindAsync(passkey.CredentialId, CancellationToken.None);
        Assert.Equal(account, found!.Account);
        Assert.Equal(passkey.UserHandle, found.UserHandle);
        Assert.Equal(["passkey_added"], await AuditKindsAsync(account!.Value));
    }

    [Fact]
    public async Task A_second_sign_up_with_the_same_credential_leaves_nothing_behind()
    {
        var passkey = NewPasskey();
        await Passkeys.CreateAccountWithPasskeyAsync(passkey, CancellationToken.None);
        var accountsBefore = await CountAsync("SELECT count(*) FROM accounts");

        var second = await Passkeys.CreateAccountWithPasskeyAsync(passkey, CancellationToken.None);

        Assert.Null(second);
        Assert.Equal(accountsBefore, await CountAsync("SELECT count(*) FROM accounts"));
    }

    [Fact]
    public async Task Signature_counter_only_moves_forward_and_a_regression_is_audited()
    {
        var account = await Passkeys.CreateAccountWithPasskeyAsync(NewPasskey(), CancellationToken.None);
        var stored = (await Passkeys.ListAsync(account!.Value, CancellationToken.None))!.Single();

        Assert.True(await Passkeys.RecordUseAsync(stored.Id, 5, CancellationToken.None));
        Assert.False(await Passkeys.RecordUseAsync(stored.Id, 5, CancellationToken.None));
        Assert.False(await Passkeys.RecordUseAsync(stored.Id, 3, CancellationToken.None));
        Assert.False(await Passkeys.RecordUseAsync(stored.Id, 0, CancellationToken.None));
        var passkey = (await Passkeys.ListAsync(account.Value, CancellationToken.None))!.Single();
        Assert.NotNull(passkey.LastUsedAt);
        var full = new StoredPasskey(stored.Id, account.Value, [], [], 5, []);
        await Passkeys.RecordCounterRegressionAsync(full, CancellationToken.None);
        Assert.Equal(["passkey_added", "passkey_counter_regressed"], await AuditKindsAsync(account.Value));
    }

    [Fact]
    public async Task Deleting_an_account_removes_its_passkeys_and_enrollment_links()
    {
        var passkey = NewPasskey();
        var account = (await Passkeys.CreateAccountWithPasskeyAsync(passkey, CancellationToken.None))!.Value;
        var token = RandomNumberGenerator.GetBytes(32);
        Assert.True(await Links.CreateAsync(Guid.NewGuid(), account, token, DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None));
        var bystander = (await Passkeys.CreateAccountWithPasskeyAsync(NewPasskey(), CancellationToken.None))!.Value;

        await ExecuteAsync("UPDATE accounts SET deleted_at = now() WHERE id = @Id", account.Value);

        Assert.Null(await Passkeys.FindAsync(passkey.CredentialId, CancellationToken.None));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM passkeys WHERE account_id = @Id", account.Value));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM passkey_enrollment_links WHERE account_id = @Id", account.Value));
        Assert.Null(await Passkeys.ListAsync(account, CancellationToken.None));
        Assert.Single((await Passkeys.ListAsync(bystander, CancellationToken.None))!);
    }

    [Fact]
    public async Task An_enrollment_link_adds_one_passkey_once()
    {
        var account = (await Passkeys.CreateAccountWithPasskeyAsync(NewPasskey(), CancellationToken.None))!.Value;
        var token = RandomNumberGenerator.GetBytes(32);
        await Links.CreateAsync(Guid.NewGuid(), account, token, DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None);
        var link = await Links.FindUsableAsync(token, CancellationToken.None);

        var first = await Links.AddPasskeyAsync(link!.Id, NewPasskey(), CancellationToken.None);
        var second = await Links.AddPasskeyAsync(link.Id, NewPasskey(), CancellationToken.None);

        Assert.True(first);
        Assert.False(second);
        Assert.Null(await Links.FindUsableAsync(token, CancellationToken.None));
        Assert.Equal(2, (await Passkeys.ListAsync(account, CancellationToken.None))!.Count);
    }

    [Fact]
    public async Task An_expired_enrollment_link_cannot_be_used()
    {
        var account = await _db.Accounts.CreateAccountAsync(CancellationToken.None);
        var token = RandomNumberGenerator.GetBytes(32);
        var id = Guid.NewGuid();
        await Links.CreateAsync(id, account, token, DateTimeOffset.UtcNow.AddHours(-1), CancellationToken.None);

        Assert.Null(await Links.FindUsableAsync(token, CancellationToken.None));
        Assert.False(await Links.AddPasskeyAsync(id, NewPasskey(), CancellationToken.None));
    }

    [Fact]
    public async Task A_challenge_is_answered_once_only_for_its_own_inquiry_and_purpose()
    {
        var exposureKey = await NewInquiryAsync();
        var other = await NewInquiryAsync();
        var used = Guid.NewGuid();
        var wrongInquiry = Guid.NewGuid();
        var wrongPurpose = Guid.NewGuid();
        foreach (var id in new[] { used, wrongInquiry, wrongPurpose })
        {
            Assert.True(await Challenges.SaveAsync(Challenge(id, exposureKey), CancellationToken.None));
        }

        Assert.Equal("{}", await Challenges.TakeAsync(used, CeremonyPurpose.SignIn, exposureKey, null, CancellationToken.None));
        Assert.Null(await Challenges.TakeAsync(used, CeremonyPurpose.SignIn, exposureKey, null, CancellationToken.None));
        Assert.Null(await Challenges.TakeAsync(wrongInquiry, CeremonyPurpose.SignIn, other, null, CancellationToken.None));
        Assert.Null(await Challenges.TakeAsync(wrongPurpose, CeremonyPurpose.SignUp, exposureKey, null, CancellationToken.None));
        // Refused answers use the challenge up too.
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM webauthn_challenges"));
    }

    [Fact]
    public async Task A_challenge_dies_with_its_inquiry_and_never_outlives_it()
    {
        var exposureKey = await NewInquiryAsync();
        var id = Guid.NewGuid();
        await Challenges.SaveAsync(Challenge(id, exposureKey) with { ExpiresAt = DateTimeOffset.UtcNow.AddDays(1) }, CancellationToken.None);

        Assert.True(await ScalarAsync<bool>(
            "SELECT c.expires_at = i.expires_at FROM webauthn_challenges c JOIN inquiries i ON i.id = c.inquiry_id"));
        await ExecuteAsync("DELETE FROM inquiries WHERE exposure_key = @Key", exposureKey);

        Assert.Null(await Challenges.TakeAsync(id, CeremonyPurpose.SignIn, exposureKey, null, CancellationToken.None));
        Assert.False(await Challenges.SaveAsync(Challenge(Guid.NewGuid(), exposureKey), CancellationToken.None));
    }

    private static WebAuthnChallenge Challenge(Guid id, string exposureKey) =>
        new(id, CeremonyPurpose.SignIn, exposureKey, null, "{}", DateTimeOffset.UtcNow.AddMinutes(2));

    private static NewPasskey NewPasskey() =>
        new(RandomNumberGenerator.GetBytes(32), [0xA5, 0x01, 0x02], 0, RandomNumberGenerator.GetBytes(32));

    private async Task<string> NewInquiryAsync()
    {
        var app = await _db.RegisterApplicationAsync();
        var exposureKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        await using var connection = await DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            INSERT INTO inquiries (id, application_id, exposure_key, hidden_key_hash, created_at, expires_at)
            VALUES (@Id, @Application, @Key, @Hash, now(), now() + interval '10 minutes')
            """, new { Id = Guid.NewGuid(), Application = app.Id.Value, Key = exposureKey, Hash = RandomNumberGenerator.GetBytes(32) });
        return exposureKey;
    }

    private NpgsqlDataSource DataSource => _db.Services.GetRequiredService<NpgsqlDataSource>();

    private async Task<string[]> AuditKindsAsync(AccountId account)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        return [.. await connection.QueryAsync<string>("SELECT kind FROM revocation_audit WHERE account_id = @Id ORDER BY id", new { Id = account.Value })];
    }

    private async Task<long> CountAsync(string sql, object? id = null)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(sql, new { Id = id });
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        return (await connection.ExecuteScalarAsync<T>(sql))!;
    }

    private async Task ExecuteAsync(string sql, object value)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(sql, new { Id = value, Key = value });
    }
}
