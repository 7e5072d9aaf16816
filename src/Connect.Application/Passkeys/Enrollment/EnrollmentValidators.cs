namespace Connect.Application.Passkeys.Enrollment;

public sealed class StartEnrollmentCommandValidator : AbstractValidator<StartEnrollmentCommand>
{
    public StartEnrollmentCommandValidator() => RuleFor(command => command.Token).ValidKey();
}

public sealed class FinishEnrollmentCommandValidator : AbstractValidator<FinishEnrollmentCommand>
{
    public FinishEnrollmentCommandValidator()
    {
        RuleFor(command => command.Token).ValidKey();
        RuleFor(command => command.Credential.Length).InclusiveBetween(1, SignInRules.MaxCredentialBytes);
        RuleFor(command => command.ExposureKey!).ValidKey().When(command => command.ExposureKey is not null);
    }
}
