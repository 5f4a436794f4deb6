using SiteHub.Hub.Registry;

namespace SiteHub.Hub.Tests.Registry;

public sealed class RegistryTests
{
    private static readonly DateOnly Today = new(2024, 6, 1);

    [Theory]
    [InlineData("11010519491231002X")]
    [InlineData("11010519491231002x")]
    [InlineData(" 440308199901010012 ")]
    public void Valid_resident_id_numbers_pass(string id)
    {
        Assert.Null(ResidentIdNumber.Validate(id, Today));
    }

    [Theory]
    [InlineData("110105194912310021", "check digit")]
    [InlineData("11010519491231002", "18 characters")]
    [InlineData("1101051949123100212", "18 characters")]
    [InlineData("11010519491231A02X", "17 digits")]
    [InlineData("110105194912310025", "check digit")]
    [InlineData("", "required")]
    public void Invalid_resident_id_numbers_are_rejected_with_the_reason(string id, string reason)
    {
        Assert.Contains(reason, ResidentIdNumber.Validate(id, Today), StringComparison.Ordinal);
    }

    [Fact]
    public void Impossible_or_future_birth_dates_are_rejected_even_with_a_right_check_digit()
    {
        Assert.Contains("birth date", ResidentIdNumber.Validate(ResidentIdNumber.WithCheckCharacter("11010519490230002"), Today), StringComparison.Ordinal);
        Assert.Contains("birth date", ResidentIdNumber.Validate(ResidentIdNumber.WithCheckCharacter("11010520250101002"), Today), StringComparison.Ordinal);
        Assert.Contains("birth date", ResidentIdNumber.Validate(ResidentIdNumber.WithCheckCharacter("11010518891231002"), Today), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_province_codes_are_rejected()
    {
        Assert.Contains("region", ResidentIdNumber.Validate(ResidentIdNumber.WithCheckCharacter("99010519491231002"), Today), StringComparison.Ordinal);
        Assert.Contains("region", ResidentIdNumber.Validate(ResidentIdNumber.WithCheckCharacter("00010519491231002"), Today), StringComparison.Ordinal);
    }

    [Fact]
    public void Id_numbers_are_masked_to_the_first_and_last_four()
    {
        Assert.Equal("2224**********123X", Masking.IdNumber("22240119900101123x"));
    }

    [Fact]
    public void Bank_accounts_are_masked_to_the_first_and_last_four()
    {
        Assert.Equal("6222********1234", Masking.BankAccount("6222 0212 3456 1234"));
        Assert.Equal("6217*************5678", Masking.BankAccount("621700000000000005678"));
    }

    [Fact]
    public void Keyed_hash_matches_the_same_number_in_any_spelling_and_depends_on_the_key()
    {
        var hasher = KeyedHasher.FromSecret("0123456789abcdef-key");
        var other = KeyedHasher.FromSecret("another-key-0123456789");

        Assert.Equal(hasher.IdNumber("11010519491231002X"), hasher.IdNumber(" 11010519491231002x"));
        Assert.Equal(hasher.BankAccount("6222 0212 3456 1234"), hasher.BankAccount("6222021234561234"));
        Assert.NotEqual(hasher.IdNumber("11010519491231002X"), other.IdNumber("11010519491231002X"));
        Assert.DoesNotContain("11010519491231002X", hasher.IdNumber("11010519491231002X"), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Id_and_account_with_the_same_digits_hash_apart()
    {
        var hasher = KeyedHasher.FromSecret("0123456789abcdef-key");

        Assert.NotEqual(hasher.IdNumber("110105194912310021"), hasher.BankAccount("110105194912310021"));
    }

    [Fact]
    public void A_short_hash_key_is_refused()
    {
        Assert.Throws<ArgumentException>(() => KeyedHasher.FromSecret("short"));
    }
}
