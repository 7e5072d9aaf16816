using Connect.Application.DescribeInquiry;
using Connect.Application.Inquiries;
using Connect.Application.Passkeys;
using Connect.Application.RealizeInquiry;
using Connect.Application.SignIn;
using Connect.Application.SignIn.FinishPasskeyCeremony;
using Connect.Domain.Accounts;
using MediatR;
using NSubstitute;

namespace Connect.Application.Tests.SignIn;

public sealed class FinishPasskeyCeremonyHandlerTests
{
    private const string ExposureKey = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

    private readonly IMediator _mediator = Substitute.For<IMediator>();
    private readonly IPasskeyCeremony _ceremony = Substitute.For<IPasskeyCeremony>();
    private readonly IWebAuthnChallengeStore _challenges = Substitute.For<IWebAuthnChallengeStore>();
    private readonly IPasskeyStore _passkeys = Substitute.For<IPasskeyStore>();
    private readonly StoredPasskey _passkey = new(Guid.NewGuid(), new AccountId(Guid.NewGuid()), [1], [2], 7, [3]);
    private readonly Guid _ceremonyId = Guid.NewGuid();

    public FinishPasskeyCeremonyHandlerTests()
    {
        _challenges.TakeAsync(_ceremonyId, Arg.Any<CeremonyPurpose>(), ExposureKey, null, Arg.Any<CancellationToken>()).Returns("{}");
        _mediator.Send(Arg.Any<DescribeInquiryQuery>(), Arg.Any<CancellationToken>())
            .Returns(new InquiryDescription(InquiryState.Pending, "shop", "Shop", SignUpOpen: true, DateTimeOffset.UtcNow.AddMinutes(5)));
        _mediator.Send(Arg.Any<RealizeInquiryCommand>(), Arg.Any<CancellationToken>()).Returns(RealizeInquiryResult.Done(null));
    }

    [Fact]
    public async Task A_counter_that_went_backwards_is_refused_audited_and_realizes_nothing()
    {
        _ceremony.FinishAssertionAsync("{}", Arg.Any<ReadOnlyMemory<byte>>(), Arg.Any<Func<byte[], CancellationToken, Task<StoredPasskey?>>>(), Arg.Any<CancellationToken>())
            .Returns(new AssertionResult(AssertionStatus.CounterRegressed, _passkey, 3));

        var outcome = await Handler().Handle(Command(CeremonyPurpose.SignIn), CancellationToken.None);

        Assert.Equal(SignInFailure.PasskeyRefused, outcome.Failure);
        await _passkeys.Received(1).RecordCounterRegressionAsync(_passkey, Arg.Any<CancellationToken>());
        await _mediator.DidNotReceive().Send(Arg.Any<RealizeInquiryCommand>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_concurrent_use_that_got_the_counter_first_is_a_regression_too()
    {
        _ceremony.FinishAssertionAsync("{}", Arg.Any<ReadOnlyMemory<byte>>(), Arg.Any<Func<byte[], CancellationToken, Task<StoredPasskey?>>>(), Arg.Any<CancellationToken>())
            .Returns(new AssertionResult(AssertionStatus.Verified, _passkey, 8));
        _passkeys.RecordUseAsync(_passkey.Id, 8, Arg.Any<CancellationToken>()).Returns(false);

        var outcome = await Handler().Handle(Command(CeremonyPurpose.SignIn), CancellationToken.None);

        Assert.Equal(SignInFailure.PasskeyRefused, outcome.Failure);
        await _passkeys.Received(1).RecordCounterRegressionAsync(_passkey, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task An_unknown_passkey_reads_exactly_like_a_bad_signature()
    {
        _ceremony.FinishAssertionAsync("{}", Arg.Any<ReadOnlyMemory<byte>>(), Arg.Any<Func<byte[], CancellationToken, Task<StoredPasskey?>>>(), Arg.Any<CancellationToken>())
            .Returns(AssertionResult.Refused);

        var outcome = await Handler().Handle(Command(CeremonyPurpose.SignIn), CancellationToken.None);

        Assert.Equal(SignInFailure.PasskeyRefused, outcome.Failure);
        await _passkeys.DidNotReceiveWithAnyArgs().RecordCounterRegressionAsync(default!, default);
    }

    [Fact]
    public async Task A_verified_sign_in_realizes_the_inquiry_with_how_passkey_and_spends_its_other_challenges()
    {
        _ceremony.FinishAssertionAsync("{}", Arg.Any<ReadOnlyMemory<byte>>(), Arg.Any<Func<byte[], CancellationToken, Task<StoredPasskey?>>>(), Arg.Any<CancellationToken>())
            .Returns(new AssertionResult(AssertionStatus.Verified, _passkey, 8));
        _passkeys.RecordUseAsync(_passkey.Id, 8, Arg.Any<CancellationToken>()).Returns(true);

        var outcome = await Handler().Handle(Command(CeremonyPurpose.SignIn), CancellationToken.None);

        Assert.True(outcome.Succeeded);
        await _mediator.Received(1).Send(
            new RealizeInquiryCommand(ExposureKey, _passkey.Account, RealizationMethod.Passkey), Arg.Any<CancellationToken>());
        await _challenges.Received(1).DropForInquiryAsync(ExposureKey, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_SECTOR_SUBJECT_refusal_is_shown_as_not_allowed()
    {
        _ceremony.FinishAssertionAsync("{}", Arg.Any<ReadOnlyMemory<byte>>(), Arg.Any<Func<byte[], CancellationToken, Task<StoredPasskey?>>>(), Arg.Any<CancellationToken>())
            .Returns(new AssertionResult(AssertionStatus.Verified, _passkey, 8));
        _passkeys.RecordUseAsync(_passkey.Id, 8, Arg.Any<CancellationToken>()).Returns(true);
        _mediator.Send(Arg.Any<RealizeInquiryCommand>(), Arg.Any<CancellationToken>())
            .Returns(RealizeInquiryResult.Refused(RealizeRefusal.SubjectNotAllowed));

        var outcome = await Handler().Handle(Command(CeremonyPurpose.SignIn), CancellationToken.None);

        Assert.Equal(SignInFailure.NotAllowed, outcome.Failure);
        await _challenges.DidNotReceiveWithAnyArgs().DropForInquiryAsync(default!, default);
    }

    [Fact]
    public async Task A_used_or_foreign_challenge_verifies_nothing()
    {
        var other = Guid.NewGuid();
        _challenges.TakeAsync(other, Arg.Any<CeremonyPurpose>(), ExposureKey, null, Arg.Any<CancellationToken>()).Returns((string?)null);

        var outcome = await Handler().Handle(
            new FinishPasskeyCeremonyCommand(ExposureKey, CeremonyPurpose.SignIn, other, new byte[] { 1 }), CancellationToken.None);

        Assert.Equal(SignInFailure.AttemptExpired, outcome.Failure);
        Assert.Empty(_ceremony.ReceivedCalls());
    }

    [Fact]
    public async Task Sign_up_on_an_inquiry_whose_application_closed_sign_up_creates_no_account()
    {
        _mediator.Send(Arg.Any<DescribeInquiryQuery>(), Arg.Any<CancellationToken>())
            .Returns(new InquiryDescription(InquiryState.Pending, "shop", "Shop", SignUpOpen: false, DateTimeOffset.UtcNow.AddMinutes(5)));

        var outcome = await Handler().Handle(Command(CeremonyPurpose.SignUp), CancellationToken.None);

        Assert.Equal(SignInFailure.SignUpClosed, outcome.Failure);
        Assert.Empty(_passkeys.ReceivedCalls());
    }

    private FinishPasskeyCeremonyCommand Command(CeremonyPurpose purpose) => new(ExposureKey, purpose, _ceremonyId, new byte[] { 1 });

    private FinishPasskeyCeremonyHandler Handler() => new(_mediator, _ceremony, _challenges, _passkeys);
}
