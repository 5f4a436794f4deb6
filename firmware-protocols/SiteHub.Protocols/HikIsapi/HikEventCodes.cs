using SiteHub.Protocols.Devices;
using SiteHub.Protocols.Punches;

namespace SiteHub.Protocols.HikIsapi;

/// <summary>What an access-controller minor code means for attendance.</summary>
public enum HikOutcome
{
    /// <summary>A person verified and was let through: a punch.</summary>
    Passed,

    /// <summary>A person tried and was refused: a device event, never a punch.</summary>
    Failed,

    /// <summary>The device's own keep-alive.</summary>
    Heartbeat,

    /// <summary>A turnstile saw someone follow another person through.</summary>
    Tailgating,

    /// <summary>Anything else: doors, locks, buttons, alarms.</summary>
    Other,
}

/// <summary>
/// Hikvision access-control event codes (<c>majorEventType</c> / <c>subEventType</c>).
/// </summary>
/// <remarks>
/// Source: Hikvision Device Network SDK, "NET_DVR_ACS_ALARM_INFO" macro definitions
/// (open.hikvision.com/hardware/structures/NET_DVR_ACS_ALARM_INFO.html; the same values as the
/// SDK's <c>MAJOR_EVENT</c> / <c>MINOR_*</c> constants in HCNetSDK). ISAPI's
/// <c>AccessControllerEvent</c> push (ISAPI "Access Control", event type
/// <c>AccessControllerEvent</c>) carries those numbers unchanged in <c>majorEventType</c> and
/// <c>subEventType</c>: e.g. 5/75 (0x4b, MINOR_FACE_VERIFY_PASS) and 5/76 (0x4c,
/// MINOR_FACE_VERIFY_FAIL). Only the "event" major type (5) holds verifications.
/// </remarks>
public static class HikEventCodes
{
    /// <summary>MAJOR_ALARM.</summary>
    public const int MajorAlarm = 0x1;

    /// <summary>MAJOR_EXCEPTION.</summary>
    public const int MajorException = 0x2;

    /// <summary>MAJOR_OPERATION (local and remote operations, e.g. remote open door).</summary>
    public const int MajorOperation = 0x3;

    /// <summary>MAJOR_EVENT: verifications, doors, turnstile passages.</summary>
    public const int MajorEvent = 0x5;

    /// <summary>MINOR_LEGAL_CARD_PASS: card verified.</summary>
    public const int CardPass = 0x01;

    /// <summary>MINOR_INVALID_CARD: the card is not enrolled.</summary>
    public const int InvalidCard = 0x09;

    /// <summary>MINOR_FINGERPRINT_COMPARE_PASS.</summary>
    public const int FingerprintPass = 0x26;

    /// <summary>MINOR_FINGERPRINT_COMPARE_FAIL.</summary>
    public const int FingerprintFail = 0x27;

    /// <summary>MINOR_FACE_VERIFY_PASS (75).</summary>
    public const int FacePass = 0x4b;

    /// <summary>MINOR_FACE_VERIFY_FAIL (76).</summary>
    public const int FaceFail = 0x4c;

    /// <summary>MINOR_DOOR_OPEN_NORMAL: the door opened.</summary>
    public const int DoorOpened = 0x19;

    /// <summary>MINOR_HEART_BEAT.</summary>
    public const int Heartbeat = 0x83;

    /// <summary>MINOR_TRAILING: a turnstile detected someone following through.</summary>
    public const int Trailing = 0x85;

    /// <summary>
    /// Classifies an event: whether it is a passed or failed verification (and with what), a
    /// heartbeat, tailgating, or something else. Descriptions are constants: nothing is allocated.
    /// </summary>
    public static HikOutcome Classify(int major, int minor, out VerifyMode mode, out string description)
    {
        mode = VerifyMode.Unknown;
        if (major != MajorEvent)
        {
            description = major switch
            {
                MajorAlarm => "alarm",
                MajorException => "device exception",
                MajorOperation => minor == 0x400 ? "remote open door" : "device operation",
                _ => "device event",
            };
            return HikOutcome.Other;
        }

        (var outcome, mode, description) = minor switch
        {
            // Verification passed.
            0x01 => (HikOutcome.Passed, VerifyMode.Card, "card verified"),
            0x02 => (HikOutcome.Passed, VerifyMode.Card, "card and password verified"),
            0x10 => (HikOutcome.Passed, VerifyMode.Unknown, "multi-factor verification passed"),
            0x26 => (HikOutcome.Passed, VerifyMode.Fingerprint, "fingerprint verified"),
            0x28 => (HikOutcome.Passed, VerifyMode.Fingerprint, "card and fingerprint verified"),
            0x2b => (HikOutcome.Passed, VerifyMode.Fingerprint, "card, fingerprint and password verified"),
            0x2e => (HikOutcome.Passed, VerifyMode.Fingerprint, "fingerprint and password verified"),
            0x36 => (HikOutcome.Passed, VerifyMode.Face, "face and fingerprint verified"),
            0x39 => (HikOutcome.Passed, VerifyMode.Face, "face and password verified"),
            0x3c => (HikOutcome.Passed, VerifyMode.Face, "face and card verified"),
            0x3f => (HikOutcome.Passed, VerifyMode.Face, "face, password and fingerprint verified"),
            0x42 => (HikOutcome.Passed, VerifyMode.Face, "face, card and fingerprint verified"),
            0x45 => (HikOutcome.Passed, VerifyMode.Fingerprint, "employee no. and fingerprint verified"),
            0x48 => (HikOutcome.Passed, VerifyMode.Fingerprint, "employee no., fingerprint and password verified"),
            0x4b => (HikOutcome.Passed, VerifyMode.Face, "face verified"),
            0x4d => (HikOutcome.Passed, VerifyMode.Face, "employee no. and face verified"),
            0x65 => (HikOutcome.Passed, VerifyMode.Unknown, "employee no. and password verified"),
            0x69 => (HikOutcome.Passed, VerifyMode.IdCard, "person matched to ID card"),
            0x99 => (HikOutcome.Passed, VerifyMode.Unknown, "combined verification passed"),
            0x9c => (HikOutcome.Passed, VerifyMode.Qr, "QR code verified"),
            0xb5 => (HikOutcome.Passed, VerifyMode.Unknown, "password verified"),

            // Verification failed.
            0x03 => (HikOutcome.Failed, VerifyMode.Card, "card and password failed"),
            0x04 or 0x05 => (HikOutcome.Failed, VerifyMode.Card, "card and password timed out"),
            0x06 => (HikOutcome.Failed, VerifyMode.Card, "card has no access right"),
            0x07 => (HikOutcome.Failed, VerifyMode.Card, "card outside its valid period"),
            0x08 => (HikOutcome.Failed, VerifyMode.Card, "card expired"),
            0x09 => (HikOutcome.Failed, VerifyMode.Card, "card not enrolled"),
            0x0a => (HikOutcome.Failed, VerifyMode.Unknown, "anti-passback refused"),
            0x0b => (HikOutcome.Failed, VerifyMode.Unknown, "interlocked door not closed"),
            0x0c or 0x0d or 0x0e or 0x0f or 0x24 => (HikOutcome.Failed, VerifyMode.Unknown, "multi-factor verification refused"),
            0x27 => (HikOutcome.Failed, VerifyMode.Fingerprint, "fingerprint did not match"),
            0x29 or 0x2a => (HikOutcome.Failed, VerifyMode.Fingerprint, "card and fingerprint failed"),
            0x2c or 0x2d => (HikOutcome.Failed, VerifyMode.Fingerprint, "card, fingerprint and password failed"),
            0x2f or 0x30 => (HikOutcome.Failed, VerifyMode.Fingerprint, "fingerprint and password failed"),
            0x31 => (HikOutcome.Failed, VerifyMode.Fingerprint, "fingerprint not enrolled"),
            0x37 or 0x38 => (HikOutcome.Failed, VerifyMode.Face, "face and fingerprint failed"),
            0x3a or 0x3b => (HikOutcome.Failed, VerifyMode.Face, "face and password failed"),
            0x3d or 0x3e => (HikOutcome.Failed, VerifyMode.Face, "face and card failed"),
            0x40 or 0x41 => (HikOutcome.Failed, VerifyMode.Face, "face, password and fingerprint failed"),
            0x43 or 0x44 => (HikOutcome.Failed, VerifyMode.Face, "face, card and fingerprint failed"),
            0x46 or 0x47 => (HikOutcome.Failed, VerifyMode.Fingerprint, "employee no. and fingerprint failed"),
            0x49 or 0x4a => (HikOutcome.Failed, VerifyMode.Fingerprint, "employee no., fingerprint and password failed"),
            0x4c => (HikOutcome.Failed, VerifyMode.Face, "face verification failed"),
            0x4e or 0x4f => (HikOutcome.Failed, VerifyMode.Face, "employee no. and face failed"),
            0x50 => (HikOutcome.Failed, VerifyMode.Face, "face not recognised"),
            0x66 or 0x67 => (HikOutcome.Failed, VerifyMode.Unknown, "employee no. and password failed"),
            0x68 => (HikOutcome.Failed, VerifyMode.Face, "liveness (human detection) failed"),
            0x70 => (HikOutcome.Failed, VerifyMode.IdCard, "person does not match ID card"),
            0x71 => (HikOutcome.Failed, VerifyMode.IdCard, "ID card on the block list"),
            0x77 => (HikOutcome.Failed, VerifyMode.Card, "card encryption check failed"),
            0x96 or 0x97 => (HikOutcome.Failed, VerifyMode.Unknown, "password failed"),
            0x98 => (HikOutcome.Failed, VerifyMode.Unknown, "employee no. not enrolled"),
            0x9a => (HikOutcome.Failed, VerifyMode.Unknown, "combined verification timed out"),
            0x9b => (HikOutcome.Failed, VerifyMode.Unknown, "verification mode not allowed"),

            Heartbeat => (HikOutcome.Heartbeat, VerifyMode.Unknown, "heartbeat"),
            Trailing => (HikOutcome.Tailgating, VerifyMode.Unknown, "tailgating detected by the turnstile"),

            // Doors, locks and turnstile states: recorded, not attendance.
            0x15 => (HikOutcome.Other, VerifyMode.Unknown, "lock opened"),
            0x16 => (HikOutcome.Other, VerifyMode.Unknown, "lock closed"),
            0x17 => (HikOutcome.Other, VerifyMode.Unknown, "exit button pressed"),
            0x19 => (HikOutcome.Other, VerifyMode.Unknown, "door opened"),
            0x1a => (HikOutcome.Other, VerifyMode.Unknown, "door closed"),
            0x1b => (HikOutcome.Other, VerifyMode.Unknown, "door opened abnormally"),
            0x1c => (HikOutcome.Other, VerifyMode.Unknown, "door open too long"),
            0x86 => (HikOutcome.Other, VerifyMode.Unknown, "passage in the wrong direction"),
            0x87 => (HikOutcome.Other, VerifyMode.Unknown, "forced passage"),
            0x88 => (HikOutcome.Other, VerifyMode.Unknown, "climbing over the gate"),
            0x89 => (HikOutcome.Other, VerifyMode.Unknown, "passage timed out"),
            0x8a => (HikOutcome.Other, VerifyMode.Unknown, "intrusion alarm"),
            0x8b => (HikOutcome.Other, VerifyMode.Unknown, "free passage without verification"),
            _ => (HikOutcome.Other, VerifyMode.Unknown, "access-control event"),
        };
        return outcome;
    }

    /// <summary>The device-event type an outcome is recorded as.</summary>
    internal static DeviceEventType ToDeviceEventType(HikOutcome outcome) => outcome switch
    {
        HikOutcome.Failed => DeviceEventType.VerificationFailed,
        HikOutcome.Tailgating => DeviceEventType.Tailgating,
        _ => DeviceEventType.Access,
    };
}
