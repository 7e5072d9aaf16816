namespace Connect.Application.Passkeys.CreatePasskeyLink;

public sealed class CreatePasskeyLinkCommandValidator : AbstractValidator<CreatePasskeyLinkCommand>
{
    public CreatePasskeyLinkCommandValidator() =>
        RuleFor(command => command.ExpiresInSeconds)
            .InclusiveBetween(60, PasskeyOptions.MaxEnrollmentLinkSeconds)
            .WithMessage($"--expires-in must be 60 to {PasskeyOptions.MaxEnrollmentLinkSeconds} seconds");
}
