namespace Connect.Application.Administration.CreateSector;

public sealed class CreateSectorCommandValidator : AbstractValidator<CreateSectorCommand>
{
    public CreateSectorCommandValidator()
    {
        // The name is optional; one that is given must be something a person can read back.
        When(command => command.Name is not null, () =>
            RuleFor(command => command.Name!)
                .Cascade(CascadeMode.Stop)
                .NotEmpty().WithMessage("the sector name must not be blank")
                .MaximumLength(AdministrationRules.MaxSectorNameLength)
                .WithMessage($"the sector name must be at most {AdministrationRules.MaxSectorNameLength} characters")
                .Must(AdministrationRules.IsPrintable).WithMessage("the sector name must not contain control characters"));
    }
}
