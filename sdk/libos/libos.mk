# placeholder: filled by the component's owner
