<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>Tincan::Gui::Composer</name>
    <message>
        <source>Write a message…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::ContactInfoDialog</name>
    <message>
        <source>online</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>last seen %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>presence hidden</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — contact info</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Avatar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Safety number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compare these digits with the ones %1 sees, in person or on a call you trust, or let their device scan the code. If they match, your messages are end-to-end encrypted with %1&apos;s devices and no one else&apos;s.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Safety number as a QR code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan it with %1&apos;s device to compare the numbers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no safety number with %1 yet. It exists once your devices and theirs have exchanged a message: send %1 a message, then look here again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mark as verified</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accept the new safety number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send to %1 again without verifying the new number.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>⚠ The safety number changed after you verified it: %1 has a new device, or someone may be listening in. Compare the new number before you trust what is sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>⚠ The safety number changed after you verified it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>✓ Verified: you compared this safety number with %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not verified yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear verification</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear the verification of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mark %1 as verified</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not verified</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The change was not saved.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::ConversationListModel</name>
    <message numerus="yes">
        <source>%n unread</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>typing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is typing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1 and %n more are typing…</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note to self</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>🖼 Photo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>🎬 Video</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>📎 %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::DesktopApp</name>
    <message>
        <source>Tincan: end-to-end encrypted team chat.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the account kept in profile directory DIR (the format tincan-cli uses).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Host a server on this computer (and keep hosting it).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Where a hosted server listens (default 0.0.0.0:7420).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tincan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open the profile in %1:
%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server hosted on this computer is not running:
%1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::DevicesPage</name>
    <message>
        <source>Username:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This device&apos;s number:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Devices signed in to this account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Devices</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh the device list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoke…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoke the selected device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Link a new device…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Link a new device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Link code as a QR code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan it with the new device: it names this server and its certificate too.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>On the new device, choose “Link this computer”, then scan this code or type:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Link code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check that the new device shows the same verification code:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verification code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send my message history to the new device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start the new device without history</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approve</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approve the new device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reject the new device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The list could not be loaded: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (this device)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>online</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>offline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opening a link…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No link opened</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The code works until %1, once.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the new device…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“%1” (%2) wants to join your account.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>system not named</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>✓ The new device read this link&apos;s QR code or address, so its key is the one it shows.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The code was typed by hand: approve only if the new device shows the same verification code.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>⚠ This device did not prove that it read your link. Do not approve it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approved. The new device is signing in…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“%1” is now linked to your account.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The new device was rejected.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The code expired. Link again if you still want to add a device.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device not linked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not rejected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoke device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoke “%1”? It is signed out for good and receives no more messages. To use it again, link it anew.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoke</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device not revoked</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::GroupInfoDialog</name>
    <message>
        <source>Group info</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Group name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rename</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rename the group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Members</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Make admin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove from group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usernames, separated by spaces or commas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usernames to add</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add these members</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leave group…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (you)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — admin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — group info</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This group is not known on this device.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You are no longer a member of this group.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n member(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>You are an admin.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove as admin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove %1 as admin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Make %1 an admin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove %1 from the group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server answered with status %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Group not renamed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Group names are 1 to 100 characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Members not added</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“%1” is not a username: usernames are %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove member</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove %1 from “%2”? They will no longer receive the group&apos;s messages.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Member not removed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not made an admin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Still an admin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leave group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leave “%1”? You will no longer receive its messages, and only an admin can add you again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leave</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You are still in the group</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::MainWindow</name>
    <message>
        <source>Tincan — %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1&apos;s safety number changed. Verify it again before you trust new messages.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search (Ctrl+K)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Messages found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No messages found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Messages (the newest %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Messages (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start a new chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a conversation, or start a new chat.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Info</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversation info</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search in this chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Older match (Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Older match</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Newer match (Shift+Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Newer match</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close the search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No results</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n result(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Jump to latest ↓</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Jump to the latest message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attach a file (Ctrl+O)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attach a file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send the message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Tincan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;New chat…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New &amp;group…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Close window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit Tincan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This computer hosts your team&apos;s Tincan server. Quitting stops the server for everyone until you start Tincan again.

Quit anyway?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Find in this chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next &amp;unread</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Attach a file…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Jump to &amp;latest</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Do not disturb</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show Tincan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tincan (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tincan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(%1) Tincan — %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>typing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 typing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You are no longer a member of this group.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n members</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>online</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>last seen at %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>last seen %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>offline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message not sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File not sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Encrypting and uploading…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 in %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sent a file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offline — reconnecting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>hosting the server on port %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Offline: %n message(s) will be sent when the connection returns.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>The group was not created: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unmute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unpin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mark as read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read by…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Receipts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open the file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tincan stopped talking to the server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>If the server&apos;s certificate changed, ask your administrator whether that was expected. Tincan will not connect to a server it cannot verify.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tincan is still running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server keeps serving your team from the tray. Use Quit to stop it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy selected text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel upload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot delete the message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opened %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::MessageDelegate</name>
    <message>
        <source>Today</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — %2%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — waiting to upload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::MessageModel</name>
    <message>
        <source>This message could not be decrypted (%1). Tincan asked the sender&apos;s device to send it again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 at %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not sent: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read by %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delivered to %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: delivered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Uploading</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Video, %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Video</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::QrCodeWidget</name>
    <message>
        <source>QR code</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::SearchDelegate</name>
    <message>
        <source>%1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::SearchModel</name>
    <message>
        <source>%1, %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::ServerHost</name>
    <message>
        <source>The server program could not be started (%1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server stopped (exit code %1).
%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server could not start.
%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server program (tincand) was not found next to Tincan.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create the server&apos;s data directory %1.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::Session</name>
    <message>
        <source>No keychain is available (%1).
Choose a passphrase that protects this profile&apos;s messages:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the passphrase of this profile (%1):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tincan</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings pages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Account &amp;&amp; devices</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Privacy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the sender and the text in notifications</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Off: notifications only say “New message”, for screens others can see.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Do not disturb (no notifications)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter sends the message, Shift+Enter starts a new line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+Enter sends the message, Enter starts a new line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep Tincan running in the tray when the window closes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This desktop has no system tray: closing the window quits Tincan.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send read receipts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Off: others do not see when you read their messages, and you do not see when they read yours. Delivery ticks stay.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show when I am online and when I was last seen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Off: no one sees whether you are online, and you do not see anyone&apos;s presence either.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server could not be asked (%1): showing the last known choice.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Privacy setting not changed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Theme</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Light</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The system&apos;s language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Windows opened from now on use the new language; restart Tincan to apply it everywhere.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Certificate fingerprint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none (the connection is not encrypted)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Certificate SHA-256:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tincan only talks to a server that shows this certificate. Compare it with the one your administrator announced.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This computer hosts the server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Addresses of the hosted server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Others connect to:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Port of the hosted server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Port:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Users online</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Online now:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data size of the hosted server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh the server&apos;s status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quitting Tincan stops the server for everyone. Closing the window keeps it running in the tray.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(only this computer can connect)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n device(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::SetupDialog</name>
    <message>
        <source>Welcome to Tincan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h3&gt;Choose your team&apos;s server&lt;/h3&gt;Tincan runs on your own network. Pick a server found nearby, type its address, or host one on this computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A server found on this network:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Servers found on this network</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server at this address:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Host a server on this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Everyone on your network can then connect to this computer. The server keeps running while Tincan is in the tray; quitting Tincan stops it for everyone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Next</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>if the server asks for one</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Username:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Repeat password:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Invite code:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create an account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>On your other device, open Settings → Account &amp; devices → Link a new device…, then type the code it shows or paste its link.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Code or link:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Link this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Device name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Continue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot look for servers: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting the server…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose one of the servers found, or type an address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>That is not a server address. It looks like https://HOST:PORT.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server did not answer within 10 seconds.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot reach %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Certificate mismatch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server at %1 shows a certificate that is not the one it announced on the network.

Announced: %2
Shown: %3

Someone may be impersonating the server. Tincan will not connect.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Server:&lt;/b&gt; %1 (no encryption in transit)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Server:&lt;/b&gt; %1&lt;br&gt;&lt;b&gt;Certificate SHA-256:&lt;/b&gt; &lt;tt&gt;%2&lt;/tt&gt;&lt;br&gt;Compare it with the one your administrator gave you (or the one shown in the hosting app&apos;s settings). Tincan will refuse any other certificate from now on.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give this device a name (1 to 64 characters).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server refused (%1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usernames are %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a password of at least 8 characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Creating the account and this device&apos;s keys…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter your username and password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type the code your other device shows, or paste its link.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asking your other device…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Linking to &lt;b&gt;%1&lt;/b&gt;. Check that your other device shows &lt;b&gt;%2&lt;/b&gt;, and approve it there.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tincan::Gui::UserPicker</name>
    <message>
        <source>New group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Group name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Group &amp;name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type a username</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Find people</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add people:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Find:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>People on this server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Members: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No username starts like that.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nobody on this server has a name starting with that.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give the group a name (1 to 100 characters).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tick the people to add.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose someone from the list.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
