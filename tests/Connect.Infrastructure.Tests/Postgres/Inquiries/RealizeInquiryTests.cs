using Connect.Application.Inquiries;
using Connect.Application.RealizeInquiry;
using Connect.Application.SigningKeys;
using Connect.Domain.Accounts;
using Connect.Testing.Seeding;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Connect.Infrastructure.Tests.Postgres.Inquiries;

/// <summary>The realize use case over the real inquiry store.</summary>
public sealed class RealizeInquiryTests : IAsyncLifetime
{
    // Whole seconds, so that times read back from the database compare equal.
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    private ConnectTestDatabase _db = null!;
    private TestApplication _app = null!;
    private IInquiryStore _store = null!;
    private ConfirmationKeys _confirmationKeys = null!;

    public async Task InitializeAsync()
    {
        _db = await ConnectTestDatabase.CreateAsync();
        _app = await _db.RegisterApplicationAsync();
        _store = _db.Services.GetRequiredService<IInquiryStore>();
        _confirmationKeys = new ConfirmationKeys(new SigningKeyEncryption(Options.Create(
            new SigningKeyOptions { KeyEncryptionKey = SigningKeyEncryption.NewKeyEncryptionKey() })));
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private RealizeInquiryHandler Realizer => new(_store, _confirmationKeys, _clock);

    private async Task<string> NewInquiryAsync(string? callbackUrl = null, IReadOnlyList<string>? allowed = null)
    {
        var exposureKey = InquiryKeys.NewKey();
        var now = _clock.GetUtcNow();
        await _store.CreateAsync(
            new NewInquiry(
                Guid.CreateVersion7(), _app.Id, exposureKey, InquiryKeys.Hash(InquiryKeys.NewKey()), allowed, null, null,
                callbackUrl, now, now.AddMinutes(10)),
            CancellationToken.None);
        return exposureKey;
    }

    private Task<RealizeInquiryResult> RealizeAsync(string exposureKey, AccountId account, RealizationMethod how = RealizationMethod.Operator) =>
        Realizer.Handle(new RealizeInquiryCommand(exposureKey, account, how), CancellationToken.None);

    private async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        return await connection.ExecuteScalarAsync<T>(sql, parameters) ?? throw new InvalidOperationException(sql);
    }

    [Fact]
    public async Task Realizing_binds_the_account_audits_how_and_hands_the_callback_its_two_keys()
    {
        var (account, _) = await _db.CreateAccountWithSubjectAsync(_app.Sector);
        var exposureKey = await NewInquiryAsync("https://shop.example/signed-in?order=7&confirmation-key=old#top");

        var result = await RealizeAsync(exposureKey, account, RealizationMethod.Passkey);

        Assert.True(result.Realized);
        var url = new Uri(result.CallbackUrl!);
        Assert.StartsWith($"https://shop.example/signed-in?order=7&exposure-key={exposureKey}&confirmation-key=", result.CallbackUrl, StringComparison.Ordinal);
        Assert.Equal("#top", url.Fragment);
        Assert.DoesNotContain("confirmation-key=old", result.CallbackUrl, StringComparison.Ordinal);
        Assert.Equal(account.Value, await ScalarAsync<Guid>("SELECT account_id FROM inquiries WHERE exposure_key = @exposureKey", new { exposureKey }));
        Assert.Equal("passkey", await ScalarAsync<string>(
            "SELECT detail FROM revocation_audit WHERE kind = 'inquiry_realized' AND account_id = @Account AND application_id = @App",
            new { Account = account.Value, App = _app.Id.Value }));
    }

    [Fact]
    public async Task Without_a_callback_the_result_has_no_url()
    {
        var (account, _) = await _db.CreateAccountWithSubjectAsync(_app.Sector);

        var result = await RealizeAsync(await NewInquiryAsync(), account);

        Assert.Equal(RealizeInquiryResult.Done(null), result);
    }

    [Fact]
    public async Task A_second_realization_is_refused_and_the_first_account_stays()
    {
        var (first, _) = await _db.CreateAccountWithSubjectAsync(_app.Sector);
        var (second, _) = await _db.CreateAccountWithSubjectAsync(_app.Sector);
        var exposureKey = await NewInquiryAsync();
        await RealizeAsync(exposureKey, first);

        var again = await RealizeAsync(exposureKey, second);

        Assert.Equal(RealizeRefusal.InquiryAlreadyRealized, again.Refusal);
        Assert.Equal(first.Value, await ScalarAsync<Guid>("SELECT account_id FROM inquiries WHERE exposure_key = @exposureKey", new { exposureKey }));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM revocation_audit WHERE kind = 'inquiry_realized' AND application_id = @App", new { App = _app.Id.Value }));
    }

    [Fact]
    public async Task Concurrent_realizations_bind_exactly_one_account()
    {
        var exposureKey = await NewInquiryAsync();
        var accounts = new List<AccountId>();
        for (var i = 0; i < 8; i++)
        {
            accounts.Add((await _db.CreateAccountWithSubjectAsync(_app.Sector)).Account);
        }

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = accounts.Select(async account =>
        {
            await start.Task;
            return await RealizeAsync(exposureKey, account);
        }).ToList();
        start.SetResult();
        var results = await Task.WhenAll(attempts);

        Assert.Single(results, result => result.Realized);
        Assert.All(results.Where(result => !result.Realized), result => Assert.Equal(RealizeRefusal.InquiryAlreadyRealized, result.Refusal));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM revocation_audit WHERE kind = 'inquiry_realized' AND application_id = @App", new { App = _app.Id.Value }));
    }

    [Fact]
    public async Task Unknown_and_expired_inquiries_are_refused()
    {
        var (account, _) = await _db.CreateAccountWithSubjectAsync(_app.Sector);
        var exposureKey = await NewInquiryAsync();

        var unknown = await RealizeAsync(InquiryKeys.NewKey(), account);
        var empty = await RealizeAsync("", account);
        _clock.Advance(TimeSpan.FromMinutes(10));
        var expired = await RealizeAsync(exposureKey, account);

        Assert.Equal(RealizeRefusal.InquiryNotFound, unknown.Refusal);
        Assert.Equal(RealizeRefusal.InquiryNotFound, empty.Refusal);
        Assert.Equal(RealizeRefusal.InquiryExpired, expired.Refusal);
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM inquiries WHERE account_id IS NOT NULL"));
    }

    [Fact]
    public async Task Disabled_deleted_and_unknown_accounts_are_refused()
    {
        var (disabled, _) = await _db.CreateAccountWithSubjectAsync(_app.Sector);
        var (deleted, _) = await _db.CreateAccountWithSubjectAsync(_app.Sector);
        await ScalarAsync<int>("UPDATE accounts SET enabled = false WHERE id = @Id RETURNING 1", new { Id = disabled.Value });
        await ScalarAsync<int>("UPDATE accounts SET deleted_at = now() WHERE id = @Id RETURNING 1", new { Id = deleted.Value });
        var exposureKey = await NewInquiryAsync();

        Assert.Equal(RealizeRefusal.AccountDisabled, (await RealizeAsync(exposureKey, disabled)).Refusal);
        Assert.Equal(RealizeRefusal.AccountDeleted, (await RealizeAsync(exposureKey, deleted)).Refusal);
        Assert.Equal(RealizeRefusal.AccountNotFound, (await RealizeAsync(exposureKey, new AccountId(Guid.NewGuid()))).Refusal);
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM inquiries WHERE account_id IS NOT NULL"));
    }

    [Fact]
    public async Task A_sector_subject_constraint_admits_only_the_named_subjects()
    {
        var (known, subject) = await _db.CreateAccountWithSubjectAsync(_app.Sector);
        var (other, _) = await _db.CreateAccountWithSubjectAsync(_app.Sector);
        var stranger = await _db.Accounts.CreateAccountAsync(CancellationToken.None);
        var exposureKey = await NewInquiryAsync(allowed: [subject.Value]);

        var otherResult = await RealizeAsync(exposureKey, other);
        var strangerResult = await RealizeAsync(exposureKey, stranger);
        var knownResult = await RealizeAsync(exposureKey, known);

        Assert.Equal(RealizeRefusal.SubjectNotAllowed, otherResult.Refusal);
        Assert.Equal(RealizeRefusal.SubjectNotAllowed, strangerResult.Refusal);
        Assert.True(knownResult.Realized);
    }
}
