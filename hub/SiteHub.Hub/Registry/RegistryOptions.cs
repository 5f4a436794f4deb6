using System.ComponentModel.DataAnnotations;

namespace SiteHub.Hub.Registry;

/// <summary>The <c>Registry</c> section.</summary>
public sealed class RegistryOptions
{
    public const string Section = "Registry";

    /// <summary>
    /// Secret key of the keyed hashes of ID and bank-account numbers. Required, at least 16
    /// characters; changing it makes every stored hash unmatchable (re-import the roster).
    /// </summary>
    [Required(ErrorMessage = "Registry:HashKey is required")]
    [MinLength(16, ErrorMessage = "Registry:HashKey must be at least 16 characters")]
    public string HashKey { get; set; } = "";
}
