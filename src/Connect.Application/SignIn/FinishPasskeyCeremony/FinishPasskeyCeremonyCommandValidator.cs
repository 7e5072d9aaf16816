namespace Connect.Application.SignIn.FinishPasskeyCeremony;

public sealed class FinishPasskeyCeremonyCommandValidator : AbstractValidator<FinishPasskeyCeremonyCommand>
{
    public FinishPasskeyCeremonyCommandValidator()
    {
        RuleFor(command => command.ExposureKey).ValidKey();
        RuleFor(command => command.Purpose).Must(purpose => purpose is CeremonyPurpose.SignIn or CeremonyPurpose.SignUp);
        RuleFor(command => command.Credential.Length).InclusiveBetween(1, SignInRules.MaxCredentialBytes);
    }
}
