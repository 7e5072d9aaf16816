using System.Buffers.Text;
using System.Text.Json;
using Connect.Application.Administration;
using Connect.Application.Inquiries;
using Connect.Application.Redeem;
using Connect.Application.SessionTokens;
using Connect.Application.SigningKeys;
using Connect.Application.Tests.SessionTokens;
using Connect.Domain.Accounts;
using Connect.Domain.Applications;
using Connect.Domain.Outcomes;
using NSubstitute;

namespace Connect.Application.Tests.Redeem;

/// <summary>
/// Where the redeemed session's subject comes from: a returning person's was read with the inquiry and is used as
/// read (one statement fewer); a first sign-in's is issued. The statements themselves run against PostgreSQL in
/// the sign-in end-to-end tests.
/// </summary>
public sealed class RedeemHandlerTests : IDisposable
{
    private const string ExposureKey = "exposure-key";
    private const string HiddenKey = "hidden-key";
    private const string ConfirmationKey = "confirmation-key";

    private static readonly InquiryApplication Application = new(
        new AppId(Guid.NewGuid()), SessionTokenHarness.Anchor, new SectorId(Guid.NewGuid()), Enabled: true, DisplayName: null,
        SignUpOpen: true);

    private static readonly AccountId Account = new(Guid.NewGuid());

    private readonly SessionTokenHarness _tokens = new();
    private readonly IInquiryStore _inquiries = Substitute.For<IInquiryStore>();
    private readonly IAccountRegistry _accounts = Substitute.For<IAccountRegistry>();
    private readonly ICurrentSigningKey _signingKeys = Substitute.For<ICurrentSigningKey>();

    public RedeemHandlerTests()
    {
        _signingKeys.GetCurrentSigningKeyAsync(Application.Id, Arg.Any<DateTimeOffset>(), Arg.Any<CancellationToken>())
            .Returns(_tokens.SigningKey);
        _inquiries.TryRedeemAsync(Arg.Any<InquiryRedemption>(), Arg.Any<CancellationToken>()).Returns(true);
    }

    public void Dispose() => _tokens.Dispose();

    [Fact]
    public async Task A_returning_persons_subject_read_with_the_inquiry_is_the_sessions_and_none_is_issued()
    {
        Found(subject: new SectorSubject("returning-subject"));

        var outcome = await Handler().Handle(new RedeemCommand(ExposureKey, HiddenKey, ConfirmationKey), CancellationToken.None);

        Assert.True(outcome.Succeeded);
        Assert.Equal("returning-subject", SubjectOf(outcome.Value.AccessToken));
        await _accounts.DidNotReceiveWithAnyArgs().IssueSubjectAsync(default, default, default);
    }

    [Fact]
    public async Task A_first_sign_in_issues_the_subject_in_the_applications_sector()
    {
        Found(subject: null);
        _accounts.IssueSubjectAsync(Account, Application.Sector, Arg.Any<CancellationToken>()).Returns(new SectorSubject("new-subject"));

        var outcome = await Handler().Handle(new RedeemCommand(ExposureKey, HiddenKey, ConfirmationKey), CancellationToken.None);

        Assert.True(outcome.Succeeded);
        Assert.Equal("new-subject", SubjectOf(outcome.Value.AccessToken));
        await _accounts.Received(1).IssueSubjectAsync(Account, Application.Sector, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_first_sign_in_whose_account_is_gone_by_then_is_refused_and_nothing_is_redeemed()
    {
        Found(subject: null);
        _accounts.IssueSubjectAsync(default, default, default).ReturnsForAnyArgs((SectorSubject?)null);

        var outcome = await Handler().Handle(new RedeemCommand(ExposureKey, HiddenKey, ConfirmationKey), CancellationToken.None);

        Assert.False(outcome.Succeeded);
        Assert.Equal(ReasonCode.AccountNotFound, outcome.Failure);
        await _inquiries.DidNotReceiveWithAnyArgs().TryRedeemAsync(default!, default);
    }

    private RedeemHandler Handler() => new(_inquiries, _accounts, _signingKeys, _tokens.Codec, _tokens.Clock);

    private void Found(SectorSubject? subject)
    {
        var now = _tokens.Clock.GetUtcNow();
        var inquiry = new StoredInquiry(
            Guid.NewGuid(), ExposureKey, InquiryKeys.Hash(HiddenKey), Application, AllowedSectorSubjects: null,
            AccessTokenTtlSeconds: null, RefreshTokenTtlSeconds: null, CallbackUrl: null, ExpiresAt: now.AddMinutes(5), Polls: 1,
            new InquiryRealizedBy(
                Account, new AccountStanding(Exists: true, Enabled: true, Deleted: false, subject), [1, 2, 3],
                InquiryKeys.Hash(ConfirmationKey)),
            RedeemedAt: null);
        _inquiries.FindAsync(ExposureKey, Arg.Any<CancellationToken>()).Returns(inquiry);
    }

    private static string? SubjectOf(string token)
    {
        var payload = Base64Url.DecodeFromChars(token.Split('.')[1]);
        using var json = JsonDocument.Parse(payload);
        return json.RootElement.GetProperty("sub").GetString();
    }
}
