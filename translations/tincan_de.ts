<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>Tincan::Gui::Composer</name>
    <message>
        <source>Write a message…</source>
        <translation>Nachricht schreiben…</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Nachricht</translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::ContactInfoDialog</name>
    <message>
        <source>online</source>
        <translation>online</translation>
    </message>
    <message>
        <source>last seen %1</source>
        <translation>zuletzt online am %1</translation>
    </message>
    <message>
        <source>presence hidden</source>
        <translation>Online-Status verborgen</translation>
    </message>
    <message>
        <source>%1 — contact info</source>
        <translation>%1 — Kontaktinfo</translation>
    </message>
    <message>
        <source>Avatar</source>
        <translation>Profilbild</translation>
    </message>
    <message>
        <source>Safety number</source>
        <translation>Sicherheitsnummer</translation>
    </message>
    <message>
        <source>Compare these digits with the ones %1 sees, in person or on a call you trust, or let their device scan the code. If they match, your messages are end-to-end encrypted with %1&apos;s devices and no one else&apos;s.</source>
        <translation>Vergleiche diese Ziffern mit denen, die %1 sieht, persönlich oder in einem Anruf, dem du vertraust, oder lass ein Gerät von %1 den Code scannen. Stimmen sie überein, sind deine Nachrichten Ende-zu-Ende-verschlüsselt mit den Geräten von %1 und mit niemandem sonst.</translation>
    </message>
    <message>
        <source>Safety number as a QR code</source>
        <translation>Sicherheitsnummer als QR-Code</translation>
    </message>
    <message>
        <source>Scan it with %1&apos;s device to compare the numbers.</source>
        <translation>Scanne ihn mit einem Gerät von %1, um die Nummern zu vergleichen.</translation>
    </message>
    <message>
        <source>There is no safety number with %1 yet. It exists once your devices and theirs have exchanged a message: send %1 a message, then look here again.</source>
        <translation>Mit %1 gibt es noch keine Sicherheitsnummer. Sie entsteht, sobald deine Geräte und die von %1 eine Nachricht ausgetauscht haben: Schreib %1 eine Nachricht und schau dann wieder hier nach.</translation>
    </message>
    <message>
        <source>Mark as verified</source>
        <translation>Als verifiziert markieren</translation>
    </message>
    <message>
        <source>Accept the new safety number</source>
        <translation>Neue Nummer akzeptieren</translation>
    </message>
    <message>
        <source>Send to %1 again without verifying the new number.</source>
        <translation>Wieder an %1 senden, ohne die neue Nummer zu verifizieren.</translation>
    </message>
    <message>
        <source>⚠ The safety number changed after you verified it: %1 has a new device, or someone may be listening in. Compare the new number before you trust what is sent.</source>
        <translation>⚠ Die Sicherheitsnummer hat sich geändert, nachdem du sie verifiziert hast: %1 hat ein neues Gerät, oder jemand hört möglicherweise mit. Vergleiche die neue Nummer, bevor du dem vertraust, was gesendet wird.</translation>
    </message>
    <message>
        <source>⚠ The safety number changed after you verified it.</source>
        <translation>⚠ Die Sicherheitsnummer hat sich geändert, nachdem du sie verifiziert hast.</translation>
    </message>
    <message>
        <source>✓ Verified: you compared this safety number with %1.</source>
        <translation>✓ Verifiziert: Du hast diese Sicherheitsnummer mit %1 verglichen.</translation>
    </message>
    <message>
        <source>Not verified yet.</source>
        <translation>Noch nicht verifiziert.</translation>
    </message>
    <message>
        <source>Clear verification</source>
        <translation>Verifizierung aufheben</translation>
    </message>
    <message>
        <source>Clear the verification of %1</source>
        <translation>Verifizierung von %1 aufheben</translation>
    </message>
    <message>
        <source>Mark %1 as verified</source>
        <translation>%1 als verifiziert markieren</translation>
    </message>
    <message>
        <source>Not verified</source>
        <translation>Nicht verifiziert</translation>
    </message>
    <message>
        <source>The change was not saved.</source>
        <translation>Die Änderung wurde nicht gespeichert.</translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::ConversationListModel</name>
    <message numerus="yes">
        <source>%n unread</source>
        <translation>
            <numerusform>%n ungelesen</numerusform>
            <numerusform>%n ungelesen</numerusform>
        </translation>
    </message>
    <message>
        <source>typing…</source>
        <translation>schreibt…</translation>
    </message>
    <message>
        <source>%1 is typing…</source>
        <translation>%1 schreibt…</translation>
    </message>
    <message numerus="yes">
        <source>%1 and %n more are typing…</source>
        <translation>
            <numerusform>%1 und %n weitere Person schreiben…</numerusform>
            <numerusform>%1 und %n weitere Personen schreiben…</numerusform>
        </translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Gruppe</translation>
    </message>
    <message>
        <source>Note to self</source>
        <translation>Notiz an mich</translation>
    </message>
    <message>
        <source>🖼 Photo</source>
        <translation>🖼 Foto</translation>
    </message>
    <message>
        <source>🎬 Video</source>
        <translation>🎬 Video</translation>
    </message>
    <message>
        <source>📎 %1</source>
        <translation>📎 %1</translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::DesktopApp</name>
    <message>
        <source>Tincan: end-to-end encrypted team chat.</source>
        <translation>Tincan: Ende-zu-Ende-verschlüsselter Team-Chat.</translation>
    </message>
    <message>
        <source>Open the account kept in profile directory DIR (the format tincan-cli uses).</source>
        <translation>Das Konto im Profilverzeichnis DIR öffnen (im selben Format wie tincan-cli).</translation>
    </message>
    <message>
        <source>Host a server on this computer (and keep hosting it).</source>
        <translation>Einen Server auf diesem Computer hosten (und weiterhin hosten).</translation>
    </message>
    <message>
        <source>Where a hosted server listens (default 0.0.0.0:7420).</source>
        <translation>Adresse, an der ein gehosteter Server lauscht (Standard: 0.0.0.0:7420).</translation>
    </message>
    <message>
        <source>Tincan</source>
        <translation>Tincan</translation>
    </message>
    <message>
        <source>Cannot open the profile in %1:
%2</source>
        <translation>Das Profil in %1 kann nicht geöffnet werden:
%2</translation>
    </message>
    <message>
        <source>The server hosted on this computer is not running:
%1</source>
        <translation>Der auf diesem Computer gehostete Server läuft nicht:
%1</translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::DevicesPage</name>
    <message>
        <source>Username:</source>
        <translation>Benutzername:</translation>
    </message>
    <message>
        <source>This device&apos;s number:</source>
        <translation>Nummer dieses Geräts:</translation>
    </message>
    <message>
        <source>Devices signed in to this account</source>
        <translation>Bei diesem Konto angemeldete Geräte</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>Geräte</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation>Zuletzt online</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <source>Refresh the device list</source>
        <translation>Geräteliste aktualisieren</translation>
    </message>
    <message>
        <source>Revoke…</source>
        <translation>Entfernen…</translation>
    </message>
    <message>
        <source>Revoke the selected device</source>
        <translation>Ausgewähltes Gerät entfernen</translation>
    </message>
    <message>
        <source>Link a new device…</source>
        <translation>Neues Gerät koppeln…</translation>
    </message>
    <message>
        <source>Link a new device</source>
        <translation>Neues Gerät koppeln</translation>
    </message>
    <message>
        <source>Link code as a QR code</source>
        <translation>Kopplungscode als QR-Code</translation>
    </message>
    <message>
        <source>Scan it with the new device: it names this server and its certificate too.</source>
        <translation>Scanne ihn mit dem neuen Gerät: Er enthält auch die Adresse und das Zertifikat dieses Servers.</translation>
    </message>
    <message>
        <source>On the new device, choose “Link this computer”, then scan this code or type:</source>
        <translation>Wähle auf dem neuen Gerät „Diesen Computer koppeln“ und scanne dann diesen Code oder gib Folgendes ein:</translation>
    </message>
    <message>
        <source>Link code</source>
        <translation>Kopplungscode</translation>
    </message>
    <message>
        <source>Check that the new device shows the same verification code:</source>
        <translation>Prüfe, ob das neue Gerät denselben Prüfcode anzeigt:</translation>
    </message>
    <message>
        <source>Verification code</source>
        <translation>Prüfcode</translation>
    </message>
    <message>
        <source>Send my message history to the new device</source>
        <translation>Meinen Nachrichtenverlauf an das neue Gerät senden</translation>
    </message>
    <message>
        <source>Start the new device without history</source>
        <translation>Neues Gerät ohne Verlauf starten</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>Bestätigen</translation>
    </message>
    <message>
        <source>Approve the new device</source>
        <translation>Neues Gerät bestätigen</translation>
    </message>
    <message>
        <source>Reject</source>
        <translation>Ablehnen</translation>
    </message>
    <message>
        <source>Reject the new device</source>
        <translation>Neues Gerät ablehnen</translation>
    </message>
    <message>
        <source>The list could not be loaded: %1</source>
        <translation>Die Liste konnte nicht geladen werden: %1</translation>
    </message>
    <message>
        <source>%1 (this device)</source>
        <translation>%1 (dieses Gerät)</translation>
    </message>
    <message>
        <source>now</source>
        <translation>jetzt</translation>
    </message>
    <message>
        <source>online</source>
        <translation>online</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>offline</translation>
    </message>
    <message>
        <source>Opening a link…</source>
        <translation>Kopplung wird gestartet…</translation>
    </message>
    <message>
        <source>No link opened</source>
        <translation>Kopplung nicht gestartet</translation>
    </message>
    <message>
        <source>The code works until %1, once.</source>
        <translation>Der Code gilt einmalig bis %1.</translation>
    </message>
    <message>
        <source>Waiting for the new device…</source>
        <translation>Warte auf das neue Gerät…</translation>
    </message>
    <message>
        <source>“%1” (%2) wants to join your account.</source>
        <translation>„%1“ (%2) möchte deinem Konto beitreten.</translation>
    </message>
    <message>
        <source>system not named</source>
        <translation>kein System angegeben</translation>
    </message>
    <message>
        <source>✓ The new device read this link&apos;s QR code or address, so its key is the one it shows.</source>
        <translation>✓ Das neue Gerät hat den QR-Code oder die Adresse dieses Links gelesen, sein Schlüssel ist also der angezeigte.</translation>
    </message>
    <message>
        <source>The code was typed by hand: approve only if the new device shows the same verification code.</source>
        <translation>Der Code wurde von Hand eingegeben: Bestätige nur, wenn das neue Gerät denselben Prüfcode anzeigt.</translation>
    </message>
    <message>
        <source>⚠ This device did not prove that it read your link. Do not approve it.</source>
        <translation>⚠ Dieses Gerät hat nicht nachgewiesen, dass es deinen Link gelesen hat. Bestätige es nicht.</translation>
    </message>
    <message>
        <source>Approved. The new device is signing in…</source>
        <translation>Bestätigt. Das neue Gerät meldet sich an…</translation>
    </message>
    <message>
        <source>“%1” is now linked to your account.</source>
        <translation>„%1“ ist jetzt mit deinem Konto gekoppelt.</translation>
    </message>
    <message>
        <source>The new device was rejected.</source>
        <translation>Das neue Gerät wurde abgelehnt.</translation>
    </message>
    <message>
        <source>The code expired. Link again if you still want to add a device.</source>
        <translation>Der Code ist abgelaufen. Starte die Kopplung neu, wenn du noch ein Gerät hinzufügen möchtest.</translation>
    </message>
    <message>
        <source>Device not linked</source>
        <translation>Gerät nicht gekoppelt</translation>
    </message>
    <message>
        <source>Not rejected</source>
        <translation>Nicht abgelehnt</translation>
    </message>
    <message>
        <source>Revoke device</source>
        <translation>Gerät entfernen</translation>
    </message>
    <message>
        <source>Revoke “%1”? It is signed out for good and receives no more messages. To use it again, link it anew.</source>
        <translation>„%1“ entfernen? Das Gerät wird endgültig abgemeldet und erhält keine Nachrichten mehr. Um es wieder zu nutzen, koppelst du es neu.</translation>
    </message>
    <message>
        <source>Revoke</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Device not revoked</source>
        <translation>Gerät nicht entfernt</translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::GroupInfoDialog</name>
    <message>
        <source>Group info</source>
        <translation>Gruppeninfo</translation>
    </message>
    <message>
        <source>Group name</source>
        <translation>Gruppenname</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>Umbenennen</translation>
    </message>
    <message>
        <source>Rename the group</source>
        <translation>Gruppe umbenennen</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>Mitglieder</translation>
    </message>
    <message>
        <source>Make admin</source>
        <translation>Zum Admin machen</translation>
    </message>
    <message>
        <source>Remove from group</source>
        <translation>Aus Gruppe entfernen</translation>
    </message>
    <message>
        <source>Usernames, separated by spaces or commas</source>
        <translation>Benutzernamen, durch Kommas getrennt</translation>
    </message>
    <message>
        <source>Usernames to add</source>
        <translation>Hinzuzufügende Benutzernamen</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Hinzufügen</translation>
    </message>
    <message>
        <source>Add these members</source>
        <translation>Diese Mitglieder hinzufügen</translation>
    </message>
    <message>
        <source>Leave group…</source>
        <translation>Gruppe verlassen…</translation>
    </message>
    <message>
        <source>%1 (you)</source>
        <translation>%1 (du)</translation>
    </message>
    <message>
        <source>%1 — admin</source>
        <translation>%1 — Admin</translation>
    </message>
    <message>
        <source>%1 — group info</source>
        <translation>%1 — Gruppeninfo</translation>
    </message>
    <message>
        <source>This group is not known on this device.</source>
        <translation>Diese Gruppe ist auf diesem Gerät nicht bekannt.</translation>
    </message>
    <message>
        <source>You are no longer a member of this group.</source>
        <translation>Du bist kein Mitglied dieser Gruppe mehr.</translation>
    </message>
    <message numerus="yes">
        <source>%n member(s)</source>
        <translation>
            <numerusform>%n Mitglied</numerusform>
            <numerusform>%n Mitglieder</numerusform>
        </translation>
    </message>
    <message>
        <source>You are an admin.</source>
        <translation>Du bist Admin.</translation>
    </message>
    <message>
        <source>Remove as admin</source>
        <translation>Als Admin entfernen</translation>
    </message>
    <message>
        <source>Remove %1 as admin</source>
        <translation>%1 als Admin entfernen</translation>
    </message>
    <message>
        <source>Make %1 an admin</source>
        <translation>%1 zum Admin machen</translation>
    </message>
    <message>
        <source>Remove %1 from the group</source>
        <translation>%1 aus der Gruppe entfernen</translation>
    </message>
    <message>
        <source>The server answered with status %1.</source>
        <translation>Der Server hat mit Status %1 geantwortet.</translation>
    </message>
    <message>
        <source>Group not renamed</source>
        <translation>Gruppe nicht umbenannt</translation>
    </message>
    <message>
        <source>Group names are 1 to 100 characters.</source>
        <translation>Gruppennamen haben 1 bis 100 Zeichen.</translation>
    </message>
    <message>
        <source>Members not added</source>
        <translation>Mitglieder nicht hinzugefügt</translation>
    </message>
    <message>
        <source>“%1” is not a username: usernames are %2.</source>
        <translation>„%1“ ist kein Benutzername. Benutzernamen: %2.</translation>
    </message>
    <message>
        <source>Remove member</source>
        <translation>Mitglied entfernen</translation>
    </message>
    <message>
        <source>Remove %1 from “%2”? They will no longer receive the group&apos;s messages.</source>
        <translation>%1 aus „%2“ entfernen? Diese Person erhält dann keine Nachrichten der Gruppe mehr.</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Member not removed</source>
        <translation>Mitglied nicht entfernt</translation>
    </message>
    <message>
        <source>Not made an admin</source>
        <translation>Nicht zum Admin gemacht</translation>
    </message>
    <message>
        <source>Still an admin</source>
        <translation>Weiterhin Admin</translation>
    </message>
    <message>
        <source>Leave group</source>
        <translation>Gruppe verlassen</translation>
    </message>
    <message>
        <source>Leave “%1”? You will no longer receive its messages, and only an admin can add you again.</source>
        <translation>„%1“ verlassen? Du erhältst dann keine Nachrichten der Gruppe mehr, und nur ein Admin kann dich wieder hinzufügen.</translation>
    </message>
    <message>
        <source>Leave</source>
        <translation>Verlassen</translation>
    </message>
    <message>
        <source>You are still in the group</source>
        <translation>Du bist noch in der Gruppe</translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::MainWindow</name>
    <message>
        <source>Tincan — %1</source>
        <translation>Tincan — %1</translation>
    </message>
    <message>
        <source>%1&apos;s safety number changed. Verify it again before you trust new messages.</source>
        <translation>Die Sicherheitsnummer von %1 hat sich geändert. Überprüfe sie erneut, bevor du neuen Nachrichten vertraust.</translation>
    </message>
    <message>
        <source>Search (Ctrl+K)</source>
        <translation>Suchen (Strg+K)</translation>
    </message>
    <message>
        <source>Filter conversations</source>
        <translation>Chats filtern</translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation>Chats</translation>
    </message>
    <message>
        <source>Messages found</source>
        <translation>Gefundene Nachrichten</translation>
    </message>
    <message>
        <source>No messages found</source>
        <translation>Keine Nachrichten gefunden</translation>
    </message>
    <message>
        <source>Messages (the newest %1)</source>
        <translation>Nachrichten (die neuesten %1)</translation>
    </message>
    <message>
        <source>Messages (%1)</source>
        <translation>Nachrichten (%1)</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>Neuer Chat</translation>
    </message>
    <message>
        <source>Start a new chat</source>
        <translation>Neuen Chat beginnen</translation>
    </message>
    <message>
        <source>New group</source>
        <translation>Neue Gruppe</translation>
    </message>
    <message>
        <source>Choose a conversation, or start a new chat.</source>
        <translation>Wähle einen Chat aus oder beginne einen neuen.</translation>
    </message>
    <message>
        <source>Info</source>
        <translation>Info</translation>
    </message>
    <message>
        <source>Conversation info</source>
        <translation>Chat-Info</translation>
    </message>
    <message>
        <source>Search in this chat</source>
        <translation>In diesem Chat suchen</translation>
    </message>
    <message>
        <source>Older match (Enter)</source>
        <translation>Älterer Treffer (Eingabe)</translation>
    </message>
    <message>
        <source>Older match</source>
        <translation>Älterer Treffer</translation>
    </message>
    <message>
        <source>Newer match (Shift+Enter)</source>
        <translation>Neuerer Treffer (Umschalt+Eingabe)</translation>
    </message>
    <message>
        <source>Newer match</source>
        <translation>Neuerer Treffer</translation>
    </message>
    <message>
        <source>Close the search</source>
        <translation>Suche schließen</translation>
    </message>
    <message>
        <source>No results</source>
        <translation>Keine Ergebnisse</translation>
    </message>
    <message numerus="yes">
        <source>%n result(s)</source>
        <translation>
            <numerusform>%n Ergebnis</numerusform>
            <numerusform>%n Ergebnisse</numerusform>
        </translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>Nachrichten</translation>
    </message>
    <message>
        <source>Jump to latest ↓</source>
        <translation>Zur neuesten ↓</translation>
    </message>
    <message>
        <source>Jump to the latest message</source>
        <translation>Zur neuesten Nachricht springen</translation>
    </message>
    <message>
        <source>Attach a file (Ctrl+O)</source>
        <translation>Datei anhängen (Strg+O)</translation>
    </message>
    <message>
        <source>Attach a file</source>
        <translation>Datei anhängen</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Send the message</source>
        <translation>Nachricht senden</translation>
    </message>
    <message>
        <source>&amp;Tincan</source>
        <translation>&amp;Tincan</translation>
    </message>
    <message>
        <source>&amp;New chat…</source>
        <translation>&amp;Neuer Chat…</translation>
    </message>
    <message>
        <source>New &amp;group…</source>
        <translation>Neue &amp;Gruppe…</translation>
    </message>
    <message>
        <source>&amp;Close window</source>
        <translation>Fenster &amp;schließen</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>Quit Tincan</source>
        <translation>Tincan beenden</translation>
    </message>
    <message>
        <source>This computer hosts your team&apos;s Tincan server. Quitting stops the server for everyone until you start Tincan again.

Quit anyway?</source>
        <translation>Dieser Computer hostet den Tincan-Server deines Teams. Wenn du Tincan beendest, ist der Server für alle gestoppt, bis du Tincan wieder startest.

Trotzdem beenden?</translation>
    </message>
    <message>
        <source>&amp;Chat</source>
        <translation>&amp;Chat</translation>
    </message>
    <message>
        <source>&amp;Search</source>
        <translation>&amp;Suchen</translation>
    </message>
    <message>
        <source>&amp;Find in this chat</source>
        <translation>&amp;In diesem Chat suchen</translation>
    </message>
    <message>
        <source>Next &amp;unread</source>
        <translation>Nächster &amp;ungelesener Chat</translation>
    </message>
    <message>
        <source>&amp;Attach a file…</source>
        <translation>&amp;Datei anhängen…</translation>
    </message>
    <message>
        <source>Jump to &amp;latest</source>
        <translation>Zur &amp;neuesten Nachricht</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Kopieren</translation>
    </message>
    <message>
        <source>&amp;Do not disturb</source>
        <translation>Nicht s&amp;tören</translation>
    </message>
    <message>
        <source>Show Tincan</source>
        <translation>Tincan anzeigen</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <source>Tincan (%1)</source>
        <translation>Tincan (%1)</translation>
    </message>
    <message>
        <source>Tincan</source>
        <translation>Tincan</translation>
    </message>
    <message>
        <source>(%1) Tincan — %2</source>
        <translation>(%1) Tincan — %2</translation>
    </message>
    <message>
        <source>typing…</source>
        <translation>schreibt…</translation>
    </message>
    <message>
        <source>%1 typing…</source>
        <translation>%1 am Schreiben…</translation>
    </message>
    <message>
        <source>You are no longer a member of this group.</source>
        <translation>Du bist kein Mitglied dieser Gruppe mehr.</translation>
    </message>
    <message numerus="yes">
        <source>%n members</source>
        <translation>
            <numerusform>%n Mitglied</numerusform>
            <numerusform>%n Mitglieder</numerusform>
        </translation>
    </message>
    <message>
        <source>online</source>
        <translation>online</translation>
    </message>
    <message>
        <source>last seen at %1</source>
        <translation>zuletzt online um %1</translation>
    </message>
    <message>
        <source>last seen %1</source>
        <translation>zuletzt online am %1</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>offline</translation>
    </message>
    <message>
        <source>Message not sent</source>
        <translation>Nachricht nicht gesendet</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>File not sent</source>
        <translation>Datei nicht gesendet</translation>
    </message>
    <message>
        <source>Encrypting and uploading…</source>
        <translation>Wird verschlüsselt und hochgeladen…</translation>
    </message>
    <message>
        <source>Send files</source>
        <translation>Dateien senden</translation>
    </message>
    <message>
        <source>New message</source>
        <translation>Neue Nachricht</translation>
    </message>
    <message>
        <source>%1 in %2</source>
        <translation>%1 in %2</translation>
    </message>
    <message>
        <source>Sent a file</source>
        <translation>Hat eine Datei gesendet</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>Verbunden</translation>
    </message>
    <message>
        <source>Offline — reconnecting</source>
        <translation>Offline — Verbindung wird wiederhergestellt</translation>
    </message>
    <message>
        <source>hosting the server on port %1</source>
        <translation>Server läuft hier auf Port %1</translation>
    </message>
    <message numerus="yes">
        <source>Offline: %n message(s) will be sent when the connection returns.</source>
        <translation>
            <numerusform>Offline: %n Nachricht wird gesendet, sobald die Verbindung wieder steht.</numerusform>
            <numerusform>Offline: %n Nachrichten werden gesendet, sobald die Verbindung wieder steht.</numerusform>
        </translation>
    </message>
    <message>
        <source>The group was not created: %1</source>
        <translation>Die Gruppe wurde nicht erstellt: %1</translation>
    </message>
    <message>
        <source>Unmute</source>
        <translation>Stummschaltung aufheben</translation>
    </message>
    <message>
        <source>Mute</source>
        <translation>Stummschalten</translation>
    </message>
    <message>
        <source>Unpin</source>
        <translation>Loslösen</translation>
    </message>
    <message>
        <source>Pin</source>
        <translation>Anheften</translation>
    </message>
    <message>
        <source>Mark as read</source>
        <translation>Als gelesen markieren</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Open file</source>
        <translation>Datei öffnen</translation>
    </message>
    <message>
        <source>Read by…</source>
        <translation>Gelesen von…</translation>
    </message>
    <message>
        <source>Receipts</source>
        <translation>Empfangsbestätigungen</translation>
    </message>
    <message>
        <source>Cannot open the file</source>
        <translation>Die Datei kann nicht geöffnet werden</translation>
    </message>
    <message>
        <source>Download failed</source>
        <translation>Download fehlgeschlagen</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>%1 gespeichert</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>Tincan stopped talking to the server</source>
        <translation>Tincan hat die Verbindung zum Server abgebrochen</translation>
    </message>
    <message>
        <source>If the server&apos;s certificate changed, ask your administrator whether that was expected. Tincan will not connect to a server it cannot verify.</source>
        <translation>Falls sich das Zertifikat des Servers geändert hat, frag deinen Administrator, ob das so vorgesehen war. Tincan verbindet sich nicht mit einem Server, den es nicht überprüfen kann.</translation>
    </message>
    <message>
        <source>Tincan is still running</source>
        <translation>Tincan läuft weiter</translation>
    </message>
    <message>
        <source>The server keeps serving your team from the tray. Use Quit to stop it.</source>
        <translation>Der Server ist aus dem Infobereich weiter für dein Team da. Mit „Beenden“ stoppst du ihn.</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>Copy selected text</source>
        <translation>Ausgewählten Text kopieren</translation>
    </message>
    <message>
        <source>Cancel upload</source>
        <translation>Hochladen abbrechen</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>Cannot delete the message</source>
        <translation>Die Nachricht kann nicht gelöscht werden</translation>
    </message>
    <message>
        <source>Opened %1</source>
        <translation>Geöffnet: %1</translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::MessageDelegate</name>
    <message>
        <source>Today</source>
        <translation>Heute</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>Gestern</translation>
    </message>
    <message>
        <source>%1 — %2%</source>
        <translation>%1 — %2 %</translation>
    </message>
    <message>
        <source>%1 — waiting to upload</source>
        <translation>%1 — wartet auf das Hochladen</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::MessageModel</name>
    <message>
        <source>This message could not be decrypted (%1). Tincan asked the sender&apos;s device to send it again.</source>
        <translation>Diese Nachricht konnte nicht entschlüsselt werden (%1). Tincan hat das Gerät des Absenders gebeten, sie erneut zu senden.</translation>
    </message>
    <message>
        <source>unknown reason</source>
        <translation>unbekannter Grund</translation>
    </message>
    <message>
        <source>You</source>
        <translation>Du</translation>
    </message>
    <message>
        <source>%1 at %2: %3</source>
        <translation>%1 um %2: %3</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>Wird gesendet</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Gesendet</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Zugestellt</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>Gelesen</translation>
    </message>
    <message>
        <source>Not sent: %1</source>
        <translation>Nicht gesendet: %1</translation>
    </message>
    <message>
        <source>Read by %1 of %2</source>
        <translation>Gelesen: %1 von %2</translation>
    </message>
    <message>
        <source>Delivered to %1 of %2</source>
        <translation>Zugestellt: %1 von %2</translation>
    </message>
    <message>
        <source>%1: read</source>
        <translation>%1: gelesen</translation>
    </message>
    <message>
        <source>%1: delivered</source>
        <translation>%1: zugestellt</translation>
    </message>
    <message>
        <source>%1: sent</source>
        <translation>%1: gesendet</translation>
    </message>
    <message>
        <source>Uploading</source>
        <translation>Wird hochgeladen</translation>
    </message>
    <message>
        <source>Video, %1</source>
        <translation>Video, %1</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>Video</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::QrCodeWidget</name>
    <message>
        <source>QR code</source>
        <translation>QR-Code</translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::SearchDelegate</name>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::SearchModel</name>
    <message>
        <source>%1, %2: %3</source>
        <translation>%1, %2: %3</translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::ServerHost</name>
    <message>
        <source>The server program could not be started (%1).</source>
        <translation>Das Serverprogramm konnte nicht gestartet werden (%1).</translation>
    </message>
    <message>
        <source>The server stopped (exit code %1).
%2</source>
        <translation>Der Server wurde beendet (Exit-Code %1).
%2</translation>
    </message>
    <message>
        <source>The server could not start.
%1</source>
        <translation>Der Server konnte nicht starten.
%1</translation>
    </message>
    <message>
        <source>The server program (tincand) was not found next to Tincan.</source>
        <translation>Das Serverprogramm (tincand) wurde nicht neben Tincan gefunden.</translation>
    </message>
    <message>
        <source>Cannot create the server&apos;s data directory %1.</source>
        <translation>Das Datenverzeichnis %1 des Servers kann nicht angelegt werden.</translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::Session</name>
    <message>
        <source>No keychain is available (%1).
Choose a passphrase that protects this profile&apos;s messages:</source>
        <translation>Kein Schlüsselbund verfügbar (%1).
Wähle eine Passphrase, die die Nachrichten dieses Profils schützt:</translation>
    </message>
    <message>
        <source>Enter the passphrase of this profile (%1):</source>
        <translation>Gib die Passphrase dieses Profils ein (%1):</translation>
    </message>
    <message>
        <source>Tincan</source>
        <translation>Tincan</translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Settings pages</source>
        <translation>Einstellungsseiten</translation>
    </message>
    <message>
        <source>Account &amp;&amp; devices</source>
        <translation>Konto &amp;&amp; Geräte</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>Benachrichtigungen</translation>
    </message>
    <message>
        <source>Privacy</source>
        <translation>Datenschutz</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>Darstellung</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>New messages</source>
        <translation>Neue Nachrichten</translation>
    </message>
    <message>
        <source>Show the sender and the text in notifications</source>
        <translation>Absender und Text in Benachrichtigungen anzeigen</translation>
    </message>
    <message>
        <source>Off: notifications only say “New message”, for screens others can see.</source>
        <translation>Aus: Benachrichtigungen zeigen nur „Neue Nachricht“, für Bildschirme, die andere sehen können.</translation>
    </message>
    <message>
        <source>Do not disturb (no notifications)</source>
        <translation>Nicht stören (keine Benachrichtigungen)</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Enter sends the message, Shift+Enter starts a new line</source>
        <translation>Eingabe sendet die Nachricht, Umschalt+Eingabe beginnt eine neue Zeile</translation>
    </message>
    <message>
        <source>Ctrl+Enter sends the message, Enter starts a new line</source>
        <translation>Strg+Eingabe sendet die Nachricht, Eingabe beginnt eine neue Zeile</translation>
    </message>
    <message>
        <source>Window</source>
        <translation>Fenster</translation>
    </message>
    <message>
        <source>Keep Tincan running in the tray when the window closes</source>
        <translation>Tincan beim Schließen des Fensters im Infobereich weiterlaufen lassen</translation>
    </message>
    <message>
        <source>This desktop has no system tray: closing the window quits Tincan.</source>
        <translation>Diese Arbeitsumgebung hat keinen Infobereich: Das Schließen des Fensters beendet Tincan.</translation>
    </message>
    <message>
        <source>Send read receipts</source>
        <translation>Lesebestätigungen senden</translation>
    </message>
    <message>
        <source>Off: others do not see when you read their messages, and you do not see when they read yours. Delivery ticks stay.</source>
        <translation>Aus: Andere sehen nicht, wann du ihre Nachrichten gelesen hast, und du siehst nicht, wann sie deine gelesen haben. Die Zustellhäkchen bleiben.</translation>
    </message>
    <message>
        <source>Show when I am online and when I was last seen</source>
        <translation>Zeigen, wann ich online bin und wann ich zuletzt online war</translation>
    </message>
    <message>
        <source>Off: no one sees whether you are online, and you do not see anyone&apos;s presence either.</source>
        <translation>Aus: Niemand sieht, ob du online bist, und du siehst auch den Online-Status anderer nicht.</translation>
    </message>
    <message>
        <source>The server could not be asked (%1): showing the last known choice.</source>
        <translation>Der Server konnte nicht abgefragt werden (%1): Die zuletzt bekannte Auswahl wird angezeigt.</translation>
    </message>
    <message>
        <source>Privacy setting not changed</source>
        <translation>Datenschutzeinstellung nicht geändert</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Design</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>Systemstandard</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Hell</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dunkel</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>The system&apos;s language</source>
        <translation>Sprache des Systems</translation>
    </message>
    <message>
        <source>Windows opened from now on use the new language; restart Tincan to apply it everywhere.</source>
        <translation>Ab jetzt geöffnete Fenster verwenden die neue Sprache; starte Tincan neu, um sie überall zu übernehmen.</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Serveradresse</translation>
    </message>
    <message>
        <source>Server:</source>
        <translation>Server:</translation>
    </message>
    <message>
        <source>Certificate fingerprint</source>
        <translation>Fingerabdruck des Zertifikats</translation>
    </message>
    <message>
        <source>none (the connection is not encrypted)</source>
        <translation>keiner (die Verbindung ist nicht verschlüsselt)</translation>
    </message>
    <message>
        <source>Certificate SHA-256:</source>
        <translation>SHA-256 des Zertifikats:</translation>
    </message>
    <message>
        <source>Tincan only talks to a server that shows this certificate. Compare it with the one your administrator announced.</source>
        <translation>Tincan verbindet sich nur mit einem Server, der dieses Zertifikat zeigt. Vergleiche den Wert mit dem, den dein Administrator bekannt gegeben hat.</translation>
    </message>
    <message>
        <source>This computer hosts the server</source>
        <translation>Dieser Computer hostet den Server</translation>
    </message>
    <message>
        <source>Addresses of the hosted server</source>
        <translation>Adressen des gehosteten Servers</translation>
    </message>
    <message>
        <source>Others connect to:</source>
        <translation>Andere verbinden sich mit:</translation>
    </message>
    <message>
        <source>Port of the hosted server</source>
        <translation>Port des gehosteten Servers</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>Port:</translation>
    </message>
    <message>
        <source>Users online</source>
        <translation>Benutzer online</translation>
    </message>
    <message>
        <source>Online now:</source>
        <translation>Jetzt online:</translation>
    </message>
    <message>
        <source>Data size of the hosted server</source>
        <translation>Datengröße des gehosteten Servers</translation>
    </message>
    <message>
        <source>Data:</source>
        <translation>Daten:</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <source>Refresh the server&apos;s status</source>
        <translation>Serverstatus aktualisieren</translation>
    </message>
    <message>
        <source>Quitting Tincan stops the server for everyone. Closing the window keeps it running in the tray.</source>
        <translation>Wenn du Tincan beendest, stoppt der Server für alle. Schließt du nur das Fenster, läuft er im Infobereich weiter.</translation>
    </message>
    <message>
        <source>(only this computer can connect)</source>
        <translation>(nur dieser Computer kann sich verbinden)</translation>
    </message>
    <message>
        <source>unknown (%1)</source>
        <translation>unbekannt (%1)</translation>
    </message>
    <message numerus="yes">
        <source>%n device(s)</source>
        <translation>
            <numerusform>%n Gerät</numerusform>
            <numerusform>%n Geräte</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::SetupDialog</name>
    <message>
        <source>Welcome to Tincan</source>
        <translation>Willkommen bei Tincan</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Choose your team&apos;s server&lt;/h3&gt;Tincan runs on your own network. Pick a server found nearby, type its address, or host one on this computer.</source>
        <translation>&lt;h3&gt;Wähle den Server deines Teams&lt;/h3&gt;Tincan läuft in deinem eigenen Netzwerk. Wähle einen Server in deiner Nähe, gib seine Adresse ein oder hoste einen auf diesem Computer.</translation>
    </message>
    <message>
        <source>A server found on this network:</source>
        <translation>Ein Server in diesem Netzwerk:</translation>
    </message>
    <message>
        <source>Servers found on this network</source>
        <translation>In diesem Netzwerk gefundene Server</translation>
    </message>
    <message>
        <source>The server at this address:</source>
        <translation>Der Server unter dieser Adresse:</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Serveradresse</translation>
    </message>
    <message>
        <source>Host a server on this computer</source>
        <translation>Einen Server auf diesem Computer hosten</translation>
    </message>
    <message>
        <source>Everyone on your network can then connect to this computer. The server keeps running while Tincan is in the tray; quitting Tincan stops it for everyone.</source>
        <translation>Alle in deinem Netzwerk können sich dann mit diesem Computer verbinden. Der Server läuft weiter, solange Tincan im Infobereich ist; wenn du Tincan beendest, stoppt er für alle.</translation>
    </message>
    <message>
        <source>&amp;Next</source>
        <translation>&amp;Weiter</translation>
    </message>
    <message>
        <source>if the server asks for one</source>
        <translation>falls der Server einen verlangt</translation>
    </message>
    <message>
        <source>&amp;Username:</source>
        <translation>&amp;Benutzername:</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Passwort:</translation>
    </message>
    <message>
        <source>&amp;Repeat password:</source>
        <translation>Passwort wieder&amp;holen:</translation>
    </message>
    <message>
        <source>&amp;Invite code:</source>
        <translation>&amp;Einladungscode:</translation>
    </message>
    <message>
        <source>Create an account</source>
        <translation>Konto erstellen</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Anmelden</translation>
    </message>
    <message>
        <source>On your other device, open Settings → Account &amp; devices → Link a new device…, then type the code it shows or paste its link.</source>
        <translation>Öffne auf deinem anderen Gerät Einstellungen → Konto &amp; Geräte → Neues Gerät koppeln… und gib dann den angezeigten Code ein oder füge den Link ein.</translation>
    </message>
    <message>
        <source>&amp;Code or link:</source>
        <translation>&amp;Code oder Link:</translation>
    </message>
    <message>
        <source>Link this computer</source>
        <translation>Diesen Computer koppeln</translation>
    </message>
    <message>
        <source>&amp;Device name:</source>
        <translation>&amp;Gerätename:</translation>
    </message>
    <message>
        <source>&amp;Continue</source>
        <translation>&amp;Fortfahren</translation>
    </message>
    <message>
        <source>&amp;Back</source>
        <translation>&amp;Zurück</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Cannot look for servers: %1</source>
        <translation>Suche nach Servern nicht möglich: %1</translation>
    </message>
    <message>
        <source>Starting the server…</source>
        <translation>Server wird gestartet…</translation>
    </message>
    <message>
        <source>Choose one of the servers found, or type an address.</source>
        <translation>Wähle einen der gefundenen Server oder gib eine Adresse ein.</translation>
    </message>
    <message>
        <source>That is not a server address. It looks like https://HOST:PORT.</source>
        <translation>Das ist keine Serveradresse. Sie hat die Form https://HOST:PORT.</translation>
    </message>
    <message>
        <source>The server did not answer within 10 seconds.</source>
        <translation>Der Server hat nicht innerhalb von 10 Sekunden geantwortet.</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Verbindung zu %1 wird hergestellt…</translation>
    </message>
    <message>
        <source>Cannot reach %1: %2</source>
        <translation>%1 ist nicht erreichbar: %2</translation>
    </message>
    <message>
        <source>Certificate mismatch</source>
        <translation>Zertifikat stimmt nicht überein</translation>
    </message>
    <message>
        <source>The server at %1 shows a certificate that is not the one it announced on the network.

Announced: %2
Shown: %3

Someone may be impersonating the server. Tincan will not connect.</source>
        <translation>Der Server unter %1 zeigt ein anderes Zertifikat als das, das er im Netzwerk angekündigt hat.

Angekündigt: %2
Gezeigt: %3

Möglicherweise gibt sich jemand als dieser Server aus. Tincan verbindet sich nicht.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Server:&lt;/b&gt; %1 (no encryption in transit)</source>
        <translation>&lt;b&gt;Server:&lt;/b&gt; %1 (keine Transportverschlüsselung)</translation>
    </message>
    <message>
        <source>&lt;b&gt;Server:&lt;/b&gt; %1&lt;br&gt;&lt;b&gt;Certificate SHA-256:&lt;/b&gt; &lt;tt&gt;%2&lt;/tt&gt;&lt;br&gt;Compare it with the one your administrator gave you (or the one shown in the hosting app&apos;s settings). Tincan will refuse any other certificate from now on.</source>
        <translation>&lt;b&gt;Server:&lt;/b&gt; %1&lt;br&gt;&lt;b&gt;SHA-256 des Zertifikats:&lt;/b&gt; &lt;tt&gt;%2&lt;/tt&gt;&lt;br&gt;Vergleiche ihn mit dem Wert, den du von deinem Administrator bekommen hast (oder dem in den Einstellungen der hostenden App). Tincan lehnt ab jetzt jedes andere Zertifikat ab.</translation>
    </message>
    <message>
        <source>Give this device a name (1 to 64 characters).</source>
        <translation>Gib diesem Gerät einen Namen (1 bis 64 Zeichen).</translation>
    </message>
    <message>
        <source>The server refused (%1).</source>
        <translation>Der Server hat abgelehnt (%1).</translation>
    </message>
    <message>
        <source>Usernames are %1.</source>
        <translation>Benutzernamen: %1.</translation>
    </message>
    <message>
        <source>Choose a password of at least 8 characters.</source>
        <translation>Wähle ein Passwort mit mindestens 8 Zeichen.</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>Die beiden Passwörter stimmen nicht überein.</translation>
    </message>
    <message>
        <source>Creating the account and this device&apos;s keys…</source>
        <translation>Konto und Schlüssel dieses Geräts werden erstellt…</translation>
    </message>
    <message>
        <source>Enter your username and password.</source>
        <translation>Gib deinen Benutzernamen und dein Passwort ein.</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Anmeldung läuft…</translation>
    </message>
    <message>
        <source>Type the code your other device shows, or paste its link.</source>
        <translation>Gib den Code ein, den dein anderes Gerät anzeigt, oder füge seinen Link ein.</translation>
    </message>
    <message>
        <source>Asking your other device…</source>
        <translation>Dein anderes Gerät wird gefragt…</translation>
    </message>
    <message>
        <source>Linking to &lt;b&gt;%1&lt;/b&gt;. Check that your other device shows &lt;b&gt;%2&lt;/b&gt;, and approve it there.</source>
        <translation>Kopplung mit &lt;b&gt;%1&lt;/b&gt;. Prüfe, ob dein anderes Gerät &lt;b&gt;%2&lt;/b&gt; anzeigt, und bestätige es dort.</translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::UserPicker</name>
    <message>
        <source>New group</source>
        <translation>Neue Gruppe</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>Neuer Chat</translation>
    </message>
    <message>
        <source>Group name</source>
        <translation>Gruppenname</translation>
    </message>
    <message>
        <source>Group &amp;name:</source>
        <translation>Gruppen&amp;name:</translation>
    </message>
    <message>
        <source>Type a username</source>
        <translation>Benutzernamen eingeben</translation>
    </message>
    <message>
        <source>Find people</source>
        <translation>Personen finden</translation>
    </message>
    <message>
        <source>&amp;Add people:</source>
        <translation>&amp;Personen hinzufügen:</translation>
    </message>
    <message>
        <source>&amp;Find:</source>
        <translation>&amp;Suchen:</translation>
    </message>
    <message>
        <source>People on this server</source>
        <translation>Personen auf diesem Server</translation>
    </message>
    <message>
        <source>Create group</source>
        <translation>Gruppe erstellen</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>Chat</translation>
    </message>
    <message>
        <source>Members: %1</source>
        <translation>Mitglieder: %1</translation>
    </message>
    <message>
        <source>No username starts like that.</source>
        <translation>Kein Benutzername beginnt so.</translation>
    </message>
    <message>
        <source>Nobody on this server has a name starting with that.</source>
        <translation>Niemand auf diesem Server hat einen Namen, der so beginnt.</translation>
    </message>
    <message>
        <source>Give the group a name (1 to 100 characters).</source>
        <translation>Gib der Gruppe einen Namen (1 bis 100 Zeichen).</translation>
    </message>
    <message>
        <source>Tick the people to add.</source>
        <translation>Hake die Personen an, die du hinzufügen möchtest.</translation>
    </message>
    <message>
        <source>Choose someone from the list.</source>
        <translation>Wähle jemanden aus der Liste aus.</translation>
    </message>
</context>
</TS>
